; Inno Setup 6 script: installs the one-folder bundle under Program Files with a Start menu entry.
; Called by build-windows.ps1: iscc /DAppVersion=0.1.0 /DBundle=...\dist\workstation /O...\dist workstation.iss
; NOT run by this project's CI (see README).
[Setup]
AppId={{6F1C3A52-94D3-4B0E-9A3E-2C6B8F0D7E42}
AppName=Workstation
AppVersion={#AppVersion}
AppPublisher=The workstation maintainers
DefaultDirName={autopf}\Workstation
DefaultGroupName=Workstation
OutputBaseFilename=workstation-{#AppVersion}-setup
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\WorkstationApp.exe

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\Workstation"; Filename: "{app}\WorkstationApp.exe"
Name: "{autodesktop}\Workstation"; Filename: "{app}\WorkstationApp.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop icon"; Flags: unchecked
