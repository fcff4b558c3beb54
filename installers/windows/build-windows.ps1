# Build the Windows bundle (dist\workstation\: workstation.exe for the command line, WorkstationApp.exe
# for the Start menu) and, when Inno Setup is installed, an installer (dist\workstation-<version>-setup.exe).
# Written for Windows 10/11 x64 with Python 3.11 from python.org; NOT run by this project's CI (see README).
#
# Usage (PowerShell, from the repository root):  installers\windows\build-windows.ps1 [-Sign]
#   -Sign  sign both executables and the installer with signtool (Authenticode, SHA-256, RFC 3161
#          timestamp). The certificate is chosen by $env:SIGN_CERT_SHA1 (thumbprint of a code-signing
#          certificate in the user's store, e.g. on an EV token); $env:SIGN_TIMESTAMP_URL defaults to
#          http://timestamp.digicert.com.
param([switch]$Sign)
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")
$root = (Get-Location).Path
$build = Join-Path $root "build\installer"
$out = Join-Path $root "dist"
Remove-Item -Recurse -Force $build, (Join-Path $out "workstation") -ErrorAction SilentlyContinue
New-Item -ItemType Directory -Force $build, $out | Out-Null
Remove-Item Env:PYTHONPATH -ErrorAction SilentlyContinue  # analyse the installed package, never the source tree

Write-Host "1/4 wheel"
py -3.11 -m pip wheel -q --no-deps -w "$build\wheel" $root
$wheel = (Get-ChildItem "$build\wheel\workstation-*.whl").FullName

Write-Host "2/4 build environment"
py -3.11 -m venv "$build\venv"
& "$build\venv\Scripts\python.exe" -m pip install -q "workstation[installer] @ file:///$($wheel -replace '\\','/')"
$version = & "$build\venv\Scripts\python.exe" -c "import workstation; print(workstation.__version__)"

Write-Host "3/4 bundle (PyInstaller)"
Push-Location $build
& "$build\venv\Scripts\python.exe" -m PyInstaller --noconfirm --clean --log-level WARN `
    --distpath $out --workpath "$build\work" (Join-Path $root "installers\workstation.spec")
Pop-Location
& "$out\workstation\workstation.exe" --version

function Sign-File($path) {
    $ts = if ($env:SIGN_TIMESTAMP_URL) { $env:SIGN_TIMESTAMP_URL } else { "http://timestamp.digicert.com" }
    signtool sign /sha1 $env:SIGN_CERT_SHA1 /fd SHA256 /tr $ts /td SHA256 /d "Workstation" $path
    signtool verify /pa /v $path
}
if ($Sign) {
    Sign-File "$out\workstation\workstation.exe"
    Sign-File "$out\workstation\WorkstationApp.exe"
}

Write-Host "4/4 installer (Inno Setup)"
$iscc = Get-Command iscc.exe -ErrorAction SilentlyContinue
if ($iscc) {
    & $iscc.Source "/DAppVersion=$version" "/DBundle=$out\workstation" "/O$out" (Join-Path $PSScriptRoot "workstation.iss")
    if ($Sign) { Sign-File "$out\workstation-$version-setup.exe" }
} else {
    Write-Host "Inno Setup (iscc.exe) is not installed: the bundle is in $out\workstation; zip it or install Inno Setup 6."
}
