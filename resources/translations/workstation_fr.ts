<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>CorrectionDialog</name>
    <message>
        <source>Correct demographics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The images are not edited in place: corrected copies with new UIDs are stored in {0}, then the originals are withdrawn with a rejection note “Incorrect Modality Worklist Entry” (IHE IOCM data correction).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apply correction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Changes to confirm:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every image already holds these values: there is nothing to correct.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DocumentView</name>
    <message>
        <source>Previous page</source>
        <extracomment>Reads the PS3.10 bytes of one instance (library first, archive otherwise); runs in a worker.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Page {0} of {1}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FieldEditor</name>
    <message>
        <source>not set</source>
        <extracomment>A yes/no field&apos;s choices: no answer, yes, no. How a placeholder (template text not yet the radiologist&apos;s) looks.</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HangingBridge</name>
    <message>
        <source>Hanging protocol and stage (N / Shift+N: next / previous stage)</source>
        <extracomment>Whether studies open laid out by their protocol when the reader has not chosen (Hanging &gt; Apply protocols when a study opens, kept in ui.ini). &quot;Link current and prior here&quot;: the active viewport&apos;s slice and its partner&apos;s are the same anatomy. Most priors read for one study, whatever a protocol asks. Prefix of the study view&apos;s sync group keys made from a stage&apos;s sync groups. The link speed the prior prefetch&apos;s share is taken of (bytes per second): 100 Mbit/s. How often the prefetch looks whether the current study is still loading, in ms. The prefetch throttle of each open study (its bytes_taken says how much came through it).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Link current and prior here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The active viewport&apos;s slice and its linked partner&apos;s are the same anatomy: scroll them together from here (remembered for this pair of series)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hanging protocols not applied: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hanging protocols not applied ({0}); the default layout is shown.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Linked here ({0:+.1f} mm), but the offset could not be saved in {1}; check that folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Current and prior linked here: {0:+.1f} mm along the slice axis (remembered for this pair).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The active viewport scrolls with no viewport of another Frame of Reference, so there is nothing to align.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No hanging protocol is applied to the study in front.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Priors not shown: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Priors not shown ({0}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Priors not prefetched: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layout saved as the hanging protocol &apos;{0}&apos; ({1}); Hanging &gt; Edit protocols changes its rules.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save this layout as a protocol</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hanging protocol &apos;{0}&apos; saved; it applies to the next study that matches its rules.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hanging protocol &apos;{0}&apos; imported.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hanging protocol exported to {0}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>KeyNoteDialog</name>
    <message>
        <source>Key image note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note for the key images of this study (saved with them):</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Workstation</source>
        <extracomment>Series whose metadata (WADO-RS, PS3.18 10.4.1.1.2) is asked for at once when a study opens. After the window opens, viewports are made ready ahead of the first study (ms). How many viewports are kept ready ahead (built, render window initialised): the hanging protocols of everyday reading show two or more, and each one made while a study opens holds up its first image by tens of ms.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Worklist</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Import files or folder...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add &amp;demo study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Outbox...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Objects &amp;waiting for the archive...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Close study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Worklist</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;QC mode</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DICOM &amp;tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Shortcuts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No archive is configured; add one in File &gt; Settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This study has no images in the local library and no archive is configured to fetch them from.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opening the study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading series information</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The study has no series that can be shown.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> {0} rejected images hidden.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Study opened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> from the local library</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>; {0} rejected images hidden</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} rejected images hidden</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a study (or select an image in QC mode) to see its DICOM tags.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;MPR (axial, coronal, sagittal)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>3D &amp;volume rendering</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a study and pick a volume series in a viewport first; MPR and 3D show the active viewport&apos;s series.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The active viewport&apos;s series is not a volume (parallel slices of one stack), so it cannot be reformatted; choose a CT or MR series.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} measurement(s) shown on the MPR planes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>; {0} of other kinds (ROIs, text) stay on the 2D images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Hanging</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Next stage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Previous stage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save this layout as a protocol...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit protocols...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Import protocol...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export current protocol...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Apply protocols when a study opens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> Searching {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adding demo study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adding the demo study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Demo study added ({0} images).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import a folder of DICOM files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Importing</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MeasureTools</name>
    <message>
        <source>Text:</source>
        <extracomment>The layer name of the DrawOps drawn here (not written to DICOM: the GSPS writer has its own). Colours: measurements, the selected one, the one being drawn. Saved measurements and annotations of another study shown beside this one (a prior). The layer of the DrawOps of another study&apos;s saved objects. How near (screen pixels) a click must be to a measurement&apos;s outline to select it. How near (screen pixels) a press must be to a handle to drag it rather than the shape. Longest side of a key-image thumbnail (image pixels). A press and release further apart than this (screen pixels) is a drag. Tool keys (keyboard shortcuts of the Measure menu). Points clicked or dragged before a drawing is finished (freehand: a drag, any number). A viewport shows a display set of a study other than this one (a prior): its Study Instance UID, once per study. Versions saved last (the next save names them as predecessors). True once measurements were read back from a report: the saved presentation state&apos;s copies of them (its graphic layer) are then not drawn twice. Small display images (uint8) of the key images, by SOP Instance UID. How each key image was shown when it was marked (window, displayed area), by SOP Instance UID: its presentation state for the printed report (:meth:`key_picture`). The Study Instance UID of this study (others shown beside it are priors). Saved objects of the other studies shown in this study&apos;s viewports, by Study Instance UID.</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MeasurementPanel</name>
    <message>
        <source>Measurements of this study; click one to show its image</source>
        <extracomment>Starting width of the side panel (pixels): the report editor, a tab in its place, fits in it.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key images (K marks or unmarks the image shown); click one to show it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit the note saved with the key images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved with the {0} (read-only here); click to show its image, double-click to open that study in its own tab and edit its measurements</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MeasurementRoom</name>
    <message>
        <source>&amp;Measure</source>
        <extracomment>How to open each prior whose saved objects were read (for editing them in its own tab).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Measurement tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved objects not yet in the archive; click to see them</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MprView</name>
    <message>
        <source> mm</source>
        <extracomment>Where each plane sits in the 2 x 2 window: (x0, y0, x1, y1) in VTK&apos;s normalised viewport coordinates (y up). The fourth quarter holds the legend. The whole window, for a maximised pane. Magnification per wheel notch with Ctrl held. Degrees the crosshair turns per [ or ] key press. Positions per Page Up / Page Down. What the fourth pane shows when no curved reformat is open. Milliseconds after the last drag or wheel step before the full-quality picture is drawn. The three planes after any change (crosshair, rotation): {name: ImagePlane}, for reference lines on the 2D viewports (workstation.model.spatial.reference_line). The MPR measurements changed (added, deleted, selected). A hanging protocol&apos;s MPR viewport: only this plane, over the whole view, no tool row. Set by the main window: the study view, &quot;mpr&quot;/&quot;3d&quot; and the display set shown. The pane shown alone (double-click), or None for the 2 x 2 layout. Curved MPR: the fourth pane shows the curved reformat; clicks add path points.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Slab thickness in mm (0: a thin plane)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Window presets (keys 1-9); right-drag changes the window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Orthogonal (O)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reset the crosshair axes to axial, coronal and sagittal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Curved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Curved MPR: click points along a structure in the pane used last; Enter or Esc finishes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MPR measurements: click one to select it and go to its plane; Del deletes it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Measure</source>
        <extracomment>&quot;legend&quot; or &quot;source&quot;: the fourth pane when no curved reformat is open.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Curved MPR: click points along the structure in the {0} pane; Enter or Esc finishes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>L {0:.1f}  P {1:.1f}  H {2:.1f} mm</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>OutboxView</name>
    <message>
        <source>Outbox: signed reports</source>
        <extracomment>How often the outbox is looked at (and what is due delivered), in ms.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queue failed deliveries again and try everything undelivered now</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PendingView</name>
    <message>
        <source>Waiting for the archive</source>
        <extracomment>How often the pending folder is looked at (ms); it is read again only when it changed. How often objects still waiting are sent again on their own (ms).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try to store every waiting object in the archive now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Discard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drop the selected object the archive refused (it is not sent)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Discard this {0}? It will not reach the archive.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PlaceholderDialog</name>
    <message>
        <source>Template text not written by you</source>
        <extracomment>What the reader chose for untouched placeholders when signing.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>These parts of the report still hold template text or default values that you have neither edited nor accepted:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign without them (they are left out of the report), keep them as your own text, or go back and edit them?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign without them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep them as my text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Go back</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ProtocolEditor</name>
    <message>
        <source>How many priors the protocol compares with (they are prefetched)</source>
        <extracomment>A read-only (shipped) protocol&apos;s &quot;Duplicate to edit&quot; was pressed.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When does this protocol apply? Rules tested on the current study; a failed required rule rules the protocol out, the others add their weight.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Protocol rules</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>0 = the current study, 1 = the best prior, 2 = the next...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add display set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove display set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Display set id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Study (0 current, n prior)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Display sets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add stage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove stage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add sync group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove sync group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add viewport</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove viewport</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync groups (viewports in a group scroll / window / zoom together)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Viewports, filled row by row</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stages and viewports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shipped protocols are read-only: duplicate it to make your own version.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duplicate to edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This protocol is shipped with the workstation and is read-only; duplicate it to change it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Another display set already has this id; choose another.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A window/level preset name; empty = the image&apos;s own window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>group ids, comma-separated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. P or P\L</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Viewport {0}: {1}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ProtocolLibrary</name>
    <message>
        <source>Hanging protocols</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete protocol</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QCView</name>
    <message>
        <source>Today</source>
        <extracomment>A finding was chosen: its series UID and the SOP Instance UIDs of its images (the reading room takes an open study&apos;s viewport there).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Day:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a study to check it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mark as checked (QC passed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export PDF...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export JSON...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reject series...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reject selected images...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Correct demographics...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DICOM tags...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open for reading</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Findings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the library...</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReadingActions</name>
    <message>
        <source>&amp;Layout</source>
        <extracomment>Grid shortcuts: Ctrl+digit picks the common layouts. QC mode (issue 8): the QC tab and the DICOM tag browser of the active image. Reporting (issue 7): the report editor dock of the study in front. MPR and 3D (issue 4): the active viewport&apos;s volume in a tab of its own; the same key goes back to the study. (Ctrl+3 is the 2 x 1 layout, so 3D is Ctrl+D.) What the viewport does with the mouse and scroll keys (handled inside the viewport).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Window &amp;presets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> fps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cine frame rate (frames per second)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Window {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No presets for this viewport</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading tools</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RejectDialog</name>
    <message>
        <source>Reject images</source>
        <extracomment>The fields of the correction dialog: (keyword, label, hint).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReportEditor</name>
    <message>
        <source>Open a study to write its report.</source>
        <extracomment>Before signing with untouched placeholders: LEAVE_OUT, KEEP, or None (go back). Before signing: shown the PDF as it will be signed, True to sign it.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import an IHE MRRT (HTML5) report template, such as one from RSNA&apos;s RadReport library, into your own templates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Insert normal findings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Put the template&apos;s normal findings and impression into the report as your own text (check them before signing)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make preliminary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Addendum...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Correction...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Insert measurements and key images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Put the study&apos;s measurements and key images from the viewer into the report; done automatically when signing if the report has none yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What the signing key is on: a PKCS#12 key file (password in the keyring) or a smart card (PIN asked at each signing)</source>
        <extracomment>Thumbnail pixels (uint8 RGB) of the report&apos;s key images, by SOP Instance UID.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Card...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the PKCS#11 module and token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign with</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>History</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>editing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signing key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Smart card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why does the signed report need an {0}?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RulesTable</name>
    <message>
        <source>Add rule</source>
        <extracomment>Attributes a protocol matching rule tests (the study&apos;s; see resources/hanging/README.md). Attributes a display-set selector&apos;s rule tests.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove rule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CT, MR  ·  AX*BRAIN*  ·  0 .. 5  ·  true</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SectionEditor</name>
    <message>
        <source>Insert snippet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template text: edit it or accept it; until then it is left out of the signed report.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accept</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the template text of this section as your own</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add archive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>https://pacs.example.org/dicom-web</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>leave empty to keep the saved one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>system certificates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verify the server&apos;s TLS certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allow the password over plain http:// (unencrypted: anyone on the network can read it)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default archive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DICOMweb URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Login</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password / token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CA bundle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> GB (0: no limit)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Archives</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Local library size limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RIS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Letterhead</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Theme</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The dark theme keeps the frame around the images dark, as reading rooms are.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new language applies when the workstation starts again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>https://ris.example.org/fhir/R4 (empty: no FHIR)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional: HL7 v2 host for ORU^R01</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FHIR R4 base URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HL7 v2 MLLP host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HL7 v2 MLLP port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Testing...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>one line per address line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Practice name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Phone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Department</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add CA certificate...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A signed report is checked right after signing: the signer&apos;s certificate must be issued by one of these authorities (certificate files, PEM or DER). With none, only the certificates that came with the key file or smart card are used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>https://tsa.example.org/tsp (RFC 3161)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>when the certificate has none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RPPS number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time-stamping authority</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Family name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Given name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trusted certificate authorities</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} is already trusted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} holds a signer&apos;s certificate, not an authority&apos;s; add the certificate of the CA that issued it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Keyboard shortcuts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keys act on the active viewport of the study in front.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SignPreviewDialog</name>
    <message>
        <source>Check the report before signing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is the report as it will be signed (the DRAFT mark is replaced by your signature). Sign it only if it says what you mean.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>report preview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Go back</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SliceScrollBar</name>
    <message>
        <source>Images of this series: loaded ones marked; click or drag to jump</source>
        <extracomment>Frame colours: the active viewport is marked (as in the grid of every reading workstation). Images per Page Up / Page Down. Zoom factor per wheel notch with Ctrl. Screen pixels of left-drag per image when scrolling by dragging (at least). Width of the slice scroll bar beside each viewport, in pixels. A QC error at a place in the stack (slices missing there): a red bar across the strip.</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StudyView</name>
    <message>
        <source>could not keep a document in the library: %s</source>
        <extracomment>How often (at most) the loading progress and thumbnails are brought up to date, in ms. How long a viewport that is not the active one waits after a change in it (a linked scroll, a reference line, an arriving slice) before it draws, in ms (its ``follower_delay_ms``); changes coming meanwhile join that frame, so it draws at most this often: a linked prior keeps up within a frame or two of fast scrolling (it waited for the scrolling to stop before: about a second behind). Defined here, not imported from ui.viewport, so that VTK is not imported at start-up. Arriving images are handed to the viewports for at most this long per event-loop turn (the rest wait for the next turn, the image on screen first), in seconds: a burst of arrivals never holds up a frame of the reader&apos;s scrolling. Thumbnails (tens of ms each on the UI thread) wait until the reader has not scrolled for this long, in seconds. The load ended: all its images arrived (or failed), or it was cancelled. Once: every viewport of the current study shows its first image (or has said why not); work that can wait (the prior search, priors&apos; loads) starts then.</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TagBrowser</name>
    <message>
        <source>Search keyword, tag (0010,0010) or value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expand all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Collapse all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy value</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TokenDialog</name>
    <message>
        <source>Smart card (PKCS#11)</source>
        <extracomment>A change is saved this long after the last keystroke (ms). And the draft is saved this often whatever happens (ms). Qt settings keys (the key file&apos;s path and the author&apos;s name; never a password).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>/usr/lib/.../opensc-pkcs11.so</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the token&apos;s label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional: the key&apos;s label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PKCS#11 module</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key label</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>VolumeLoadingView</name>
    <message>
        <source>Loading the volume...</source>
        <extracomment>What loads a volume in a worker thread: (volume [k, j, i], geometry, a header, a note). Shows a loaded volume. Draws the view now. Frees the volume and the pipeline (a closed tab); cancels a running load. A key of the view (key, modifiers); True when it was one. Enables or disables the tool row&apos;s controls.</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>VolumeView</name>
    <message>
        <source>3D preset (keys 1-6); right-drag shifts and widens its opacity curve</source>
        <extracomment>Degrees of rotation per screen pixel of left-drag. Zoom factor per wheel notch. The clipping box&apos;s faces: (label, ClipBox field) per patient axis, low then high. Set by the main window: the study view, &quot;mpr&quot;/&quot;3d&quot; and the display set shown.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shading</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clipping box</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reset (R)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save view as image...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> mm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clipping box face {0} (patient LPS mm)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved {0}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WorklistWidget</name>
    <message>
        <source>Where to search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Patient name (* ? wildcards)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Patient ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accession</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Description</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The local library is empty. Configure an archive in the settings, import files, or add the demo study to start.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add demo study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Searching {0}...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Report status held by the RIS &apos;{0}&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Report status in the RIS: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The RIS could not be asked for the report status.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <source>Rebuilding the library index from its files...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workstation</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>plane_pane</name>
    <message>
        <source>The reformat is made once the series&apos; images have arrived.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>worklist</name>
    <message>
        <source>{0} of {1}</source>
        <extracomment>QC states as the worklist shows them: (text, colour); nothing for a study never checked.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} (incomplete)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
