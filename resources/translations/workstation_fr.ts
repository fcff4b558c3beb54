<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>CorrectionDialog</name>
    <message>
        <source>Patient name</source>
        <translation>Nom du patient</translation>
    </message>
    <message>
        <source>FAMILY^Given^Middle (PS3.5 6.2 PN)</source>
        <translation>NOM^Prénom^Second prénom (PS3.5 6.2 PN)</translation>
    </message>
    <message>
        <source>Patient ID</source>
        <translation>ID patient</translation>
    </message>
    <message>
        <source>Birth date</source>
        <translation>Date de naissance</translation>
    </message>
    <message>
        <source>YYYYMMDD</source>
        <translation>AAAAMMJJ</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Sexe</translation>
    </message>
    <message>
        <source>Accession number</source>
        <translation>Numéro d&apos;accession</translation>
    </message>
    <message>
        <source>Correct demographics</source>
        <translation>Corriger l&apos;identité</translation>
    </message>
    <message>
        <source>Show changes</source>
        <translation>Afficher les modifications</translation>
    </message>
    <message>
        <source>The images are not edited in place: corrected copies with new UIDs are stored in {0}, then the originals are withdrawn with a rejection note “Incorrect Modality Worklist Entry” (IHE IOCM data correction).</source>
        <translation>Les images ne sont pas modifiées sur place : des copies corrigées avec de nouveaux UID sont enregistrées dans {0}, puis les originaux sont retirés avec une note de rejet « Incorrect Modality Worklist Entry » (correction de données IHE IOCM).</translation>
    </message>
    <message>
        <source>Apply correction</source>
        <translation>Appliquer la correction</translation>
    </message>
    <message>
        <source>Changes to confirm:</source>
        <translation>Modifications à confirmer :</translation>
    </message>
    <message>
        <source>Every image already holds these values: there is nothing to correct.</source>
        <translation>Toutes les images portent déjà ces valeurs : il n&apos;y a rien à corriger.</translation>
    </message>
</context>
<context>
    <name>Cover</name>
    <message>
        <source>Locked: images and patient details are hidden until you sign in again.</source>
        <translation>Verrouillé : les images et les informations du patient sont masquées jusqu&apos;à ce que vous vous reconnectiez.</translation>
    </message>
</context>
<context>
    <name>DocumentView</name>
    <message>
        <source>Previous page</source>
        <extracomment>Reads the PS3.10 bytes of one instance (library first, archive otherwise); runs in a worker.</extracomment>
        <translation>Page précédente</translation>
    </message>
    <message>
        <source>Next page</source>
        <translation>Page suivante</translation>
    </message>
    <message>
        <source>Loading the {0}...</source>
        <translation>Chargement de : {0}...</translation>
    </message>
    <message>
        <source>A {0} object has no view of its own here.</source>
        <translation>Un objet de type {0} n&apos;a pas d&apos;affichage propre ici.</translation>
    </message>
    <message>
        <source>Page {0} of {1}</source>
        <translation>Page {0} sur {1}</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>No pictures</source>
        <translation>Pas d&apos;images</translation>
    </message>
    <message>
        <source>PNG pictures</source>
        <translation>Images PNG</translation>
    </message>
    <message>
        <source>JPEG pictures</source>
        <translation>Images JPEG</translation>
    </message>
    <message>
        <source>MP4 video per series</source>
        <translation>Vidéo MP4 par série</translation>
    </message>
    <message>
        <source>Export study</source>
        <translation>Exporter l&apos;examen</translation>
    </message>
    <message>
        <source>{0} ({1} instances)</source>
        <translation>{0} ({1} instances)</translation>
    </message>
    <message>
        <source>Series to export:</source>
        <translation>Séries à exporter :</translation>
    </message>
    <message>
        <source>To a folder, removable media or a ZIP</source>
        <translation>Vers un dossier, un support amovible ou un ZIP</translation>
    </message>
    <message>
        <source>Send to another archive (DICOMweb)</source>
        <translation>Envoyer vers une autre archive (DICOMweb)</translation>
    </message>
    <message>
        <source>an empty or new folder</source>
        <translation>un dossier vide ou nouveau</translation>
    </message>
    <message>
        <source>Browse...</source>
        <translation>Parcourir...</translation>
    </message>
    <message>
        <source>Folder:</source>
        <translation>Dossier :</translation>
    </message>
    <message>
        <source>DICOMDIR for CD, DVD or USB (other viewers open it)</source>
        <translation>DICOMDIR pour CD, DVD ou clé USB (lisible par les autres visionneuses)</translation>
    </message>
    <message>
        <source>One ZIP file</source>
        <translation>Un seul fichier ZIP</translation>
    </message>
    <message>
        <source>Pictures with corner text and markers</source>
        <translation>Images avec textes d&apos;angle et repères</translation>
    </message>
    <message>
        <source>Pictures:</source>
        <translation>Images :</translation>
    </message>
    <message>
        <source>Anonymise (DICOM PS3.15 basic profile)</source>
        <translation>Anonymiser (profil de base DICOM PS3.15)</translation>
    </message>
    <message>
        <source>Keep the time between dates (all dates shifted)</source>
        <translation>Conserver l&apos;intervalle entre les dates (toutes les dates décalées)</translation>
    </message>
    <message>
        <source>Keep the device identity (station, serial numbers)</source>
        <translation>Conserver l&apos;identité de l&apos;appareil (station, numéros de série)</translation>
    </message>
    <message>
        <source>Keep descriptions, cleaned of the patient&apos;s identity</source>
        <translation>Conserver les descriptions, débarrassées de l&apos;identité du patient</translation>
    </message>
    <message>
        <source>Include images that have, or may have, text burned into the pixels (it cannot be removed)</source>
        <translation>Inclure les images qui ont, ou pourraient avoir, du texte incrusté dans les pixels (il ne peut pas être retiré)</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exporter</translation>
    </message>
    <message>
        <source>Export to folder</source>
        <translation>Exporter vers un dossier</translation>
    </message>
    <message>
        <source>Choose at least one series.</source>
        <translation>Choisissez au moins une série.</translation>
    </message>
    <message>
        <source>Choose a folder for the export.</source>
        <translation>Choisissez un dossier pour l&apos;export.</translation>
    </message>
    <message>
        <source>Working...</source>
        <translation>En cours...</translation>
    </message>
    <message>
        <source>{0} {1} of {2}</source>
        <translation>{0} {1} sur {2}</translation>
    </message>
</context>
<context>
    <name>FieldEditor</name>
    <message>
        <source>yes</source>
        <extracomment>A yes/no field&apos;s choices: no answer, yes, no.</extracomment>
        <translation>oui</translation>
    </message>
    <message>
        <source>no</source>
        <translation>non</translation>
    </message>
    <message>
        <source>not set</source>
        <extracomment>How a placeholder (template text not yet the radiologist&apos;s) looks.</extracomment>
        <translation>non renseigné</translation>
    </message>
    <message>
        <source>Template default: not in the signed report until you change or accept it</source>
        <translation>Valeur par défaut du modèle : absente du compte rendu signé tant que vous ne l&apos;avez pas modifiée ou acceptée</translation>
    </message>
</context>
<context>
    <name>HangingBridge</name>
    <message>
        <source>Hanging protocol and stage (N / Shift+N: next / previous stage)</source>
        <extracomment>The prefetch throttle of each open study (its bytes_taken says how much came through it).</extracomment>
        <translation>Protocole d&apos;affichage et étape (N / Maj+N : étape suivante / précédente)</translation>
    </message>
    <message>
        <source>&amp;Link current and prior here</source>
        <translation>&amp;Lier l&apos;examen actuel et l&apos;antérieur ici</translation>
    </message>
    <message>
        <source>The active viewport&apos;s slice and its linked partner&apos;s are the same anatomy: scroll them together from here (remembered for this pair of series)</source>
        <translation>La coupe de la fenêtre active et celle de sa partenaire liée montrent la même anatomie : les faire défiler ensemble à partir d&apos;ici (mémorisé pour cette paire de séries)</translation>
    </message>
    <message>
        <source>Hanging protocols not applied: {0}</source>
        <translation>Protocoles d&apos;affichage non appliqués : {0}</translation>
    </message>
    <message>
        <source>Hanging protocols not applied ({0}); the default layout is shown.</source>
        <translation>Protocoles d&apos;affichage non appliqués ({0}) ; la disposition par défaut est affichée.</translation>
    </message>
    <message>
        <source>Linked here ({0:+.1f} mm), but the offset could not be saved in {1}; check that folder.</source>
        <translation>Liées ici ({0:+.1f} mm), mais le décalage n&apos;a pas pu être enregistré dans {1} ; vérifiez ce dossier.</translation>
    </message>
    <message>
        <source>Current and prior linked here: {0:+.1f} mm along the slice axis (remembered for this pair).</source>
        <translation>Examen actuel et antérieur liés ici : {0:+.1f} mm le long de l&apos;axe des coupes (mémorisé pour cette paire).</translation>
    </message>
    <message>
        <source>The active viewport scrolls with no viewport of another Frame of Reference, so there is nothing to align.</source>
        <translation>La fenêtre active ne défile avec aucune fenêtre d&apos;un autre référentiel (Frame of Reference) : il n&apos;y a rien à aligner.</translation>
    </message>
    <message>
        <source>No hanging protocol is applied to the study in front.</source>
        <translation>Aucun protocole d&apos;affichage n&apos;est appliqué à l&apos;examen au premier plan.</translation>
    </message>
    <message>
        <source>Priors not shown: {0}</source>
        <translation>Antérieurs non affichés : {0}</translation>
    </message>
    <message>
        <source>{0} prior(s)</source>
        <translation>{0} antérieur(s)</translation>
    </message>
    <message>
        <source>no priors</source>
        <translation>aucun antérieur</translation>
    </message>
    <message>
        <source>, {0} possible (identifiers differ)</source>
        <translation>, {0} possible(s) (identifiants différents)</translation>
    </message>
    <message>
        <source>Priors not shown ({0}).</source>
        <translation>Antérieurs non affichés ({0}).</translation>
    </message>
    <message>
        <source>Priors not prefetched: {0}</source>
        <translation>Antérieurs non préchargés : {0}</translation>
    </message>
    <message>
        <source>Viewport {0}</source>
        <translation>Fenêtre {0}</translation>
    </message>
    <message>
        <source>No viewport shows a series, so there is no layout to save; show a series first.</source>
        <translation>Aucune fenêtre n&apos;affiche de série : il n&apos;y a pas de disposition à enregistrer ; affichez d&apos;abord une série.</translation>
    </message>
    <message>
        <source>My layout</source>
        <translation>Ma disposition</translation>
    </message>
    <message>
        <source>Saved from the reading room.</source>
        <translation>Enregistré depuis la salle de lecture.</translation>
    </message>
    <message>
        <source>Open a study first; its layout is what gets saved as a protocol.</source>
        <translation>Ouvrez d&apos;abord un examen : c&apos;est sa disposition qui est enregistrée comme protocole.</translation>
    </message>
    <message>
        <source>Layout saved as the hanging protocol &apos;{0}&apos; ({1}); Hanging &gt; Edit protocols changes its rules.</source>
        <translation>Disposition enregistrée comme protocole d&apos;affichage « {0} » ({1}) ; Affichage &gt; Modifier les protocoles change ses règles.</translation>
    </message>
    <message>
        <source>Save this layout as a protocol</source>
        <translation>Enregistrer cette disposition comme protocole</translation>
    </message>
    <message>
        <source>Hanging protocol &apos;{0}&apos; saved; it applies to the next study that matches its rules.</source>
        <translation>Protocole d&apos;affichage « {0} » enregistré ; il s&apos;applique au prochain examen qui répond à ses règles.</translation>
    </message>
    <message>
        <source>Import a hanging protocol</source>
        <translation>Importer un protocole d&apos;affichage</translation>
    </message>
    <message>
        <source>Hanging protocols (*.json)</source>
        <translation>Protocoles d&apos;affichage (*.json)</translation>
    </message>
    <message>
        <source>Could not read {0}; check the file and try again.</source>
        <translation>Impossible de lire {0} ; vérifiez le fichier et réessayez.</translation>
    </message>
    <message>
        <source>Hanging protocol &apos;{0}&apos; imported.</source>
        <translation>Protocole d&apos;affichage « {0} » importé.</translation>
    </message>
    <message>
        <source>No hanging protocol is applied to the study in front, so there is none to export.</source>
        <translation>Aucun protocole d&apos;affichage n&apos;est appliqué à l&apos;examen au premier plan : il n&apos;y a rien à exporter.</translation>
    </message>
    <message>
        <source>Export the hanging protocol</source>
        <translation>Exporter le protocole d&apos;affichage</translation>
    </message>
    <message>
        <source>Could not write {0}; choose another folder.</source>
        <translation>Impossible d&apos;écrire {0} ; choisissez un autre dossier.</translation>
    </message>
    <message>
        <source>Hanging protocol exported to {0}.</source>
        <translation>Protocole d&apos;affichage exporté vers {0}.</translation>
    </message>
</context>
<context>
    <name>KeyNoteDialog</name>
    <message>
        <source>Key image note</source>
        <translation>Note des images clés</translation>
    </message>
    <message>
        <source>Note for the key images of this study (saved with them):</source>
        <translation>Note pour les images clés de cet examen (enregistrée avec elles) :</translation>
    </message>
</context>
<context>
    <name>LockDialog</name>
    <message>
        <source>Workstation locked</source>
        <translation>Station de travail verrouillée</translation>
    </message>
    <message>
        <source>nobody (not signed in)</source>
        <translation>personne (non connecté)</translation>
    </message>
    <message>
        <source>The workstation is locked ({0}). Signed in: {1}.</source>
        <translation>La station de travail est verrouillée ({0}). Connecté : {1}.</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>Déverrouiller</translation>
    </message>
    <message>
        <source>Sign in again ({0})</source>
        <translation>Se reconnecter ({0})</translation>
    </message>
    <message>
        <source>Local unlock password</source>
        <translation>Mot de passe local de déverrouillage</translation>
    </message>
    <message>
        <source>No sign-in and no unlock password are set up (Settings), so anyone can unlock this workstation.</source>
        <translation>Ni connexion ni mot de passe de déverrouillage ne sont configurés (Paramètres) : n&apos;importe qui peut déverrouiller cette station de travail.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Archive + library</source>
        <extracomment>Series whose metadata (WADO-RS, PS3.18 10.4.1.1.2) is asked for at once when a study opens. After the window opens, viewports are made ready ahead of the first study (ms). How many viewports are kept ready ahead (built, render window initialised): the hanging protocols of everyday reading show two or more, and each one made while a study opens holds up its first image by tens of ms.</extracomment>
        <translation>Archive + bibliothèque</translation>
    </message>
    <message>
        <source>Local library</source>
        <translation>Bibliothèque locale</translation>
    </message>
    <message>
        <source>Workstation</source>
        <extracomment>A sentence from a worker thread for the status bar (an archive failed over, came back). (search number, SourceAnswer): an archive that answered after the search&apos;s deadline.</extracomment>
        <translation>Station de travail</translation>
    </message>
    <message>
        <source>Worklist</source>
        <translation>Liste de travail</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <source>&amp;Import files or folder...</source>
        <translation>&amp;Importer des fichiers ou un dossier...</translation>
    </message>
    <message>
        <source>Add &amp;demo study</source>
        <translation>Ajouter l&apos;examen de &amp;démonstration</translation>
    </message>
    <message>
        <source>&amp;Export...</source>
        <translation>&amp;Exporter...</translation>
    </message>
    <message>
        <source>&amp;Outbox...</source>
        <translation>&amp;Boîte d&apos;envoi...</translation>
    </message>
    <message>
        <source>Objects &amp;waiting for the archive...</source>
        <translation>Objets en &amp;attente de l&apos;archive...</translation>
    </message>
    <message>
        <source>&amp;New window</source>
        <translation>&amp;Nouvelle fenêtre</translation>
    </message>
    <message>
        <source>&amp;Close study</source>
        <translation>&amp;Fermer l&apos;examen</translation>
    </message>
    <message>
        <source>&amp;Settings...</source>
        <translation>&amp;Paramètres...</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Affichage</translation>
    </message>
    <message>
        <source>&amp;Worklist</source>
        <translation>&amp;Liste de travail</translation>
    </message>
    <message>
        <source>&amp;QC mode</source>
        <translation>Mode &amp;CQ</translation>
    </message>
    <message>
        <source>DICOM &amp;tags</source>
        <translation>&amp;Balises DICOM</translation>
    </message>
    <message>
        <source>&amp;Report</source>
        <translation>&amp;Compte rendu</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Aide</translation>
    </message>
    <message>
        <source>&amp;Shortcuts</source>
        <translation>&amp;Raccourcis</translation>
    </message>
    <message>
        <source>&amp;About the workstation</source>
        <translation>À &amp;propos de la station de travail</translation>
    </message>
    <message>
        <source>No archive is configured; add one in File &gt; Settings.</source>
        <translation>Aucune archive n&apos;est configurée ; ajoutez-en une dans Fichier &gt; Paramètres.</translation>
    </message>
    <message>
        <source>This study has no images in the local library and no archive is configured to fetch them from.</source>
        <translation>Cet examen n&apos;a pas d&apos;images dans la bibliothèque locale et aucune archive n&apos;est configurée pour les récupérer.</translation>
    </message>
    <message>
        <source>Opening the study</source>
        <translation>Ouverture de l&apos;examen</translation>
    </message>
    <message>
        <source>Reading series information</source>
        <translation>Lecture des informations des séries</translation>
    </message>
    <message>
        <source>The study has no series that can be shown.</source>
        <translation>L&apos;examen n&apos;a aucune série affichable.</translation>
    </message>
    <message>
        <source> {0} rejected images hidden.</source>
        <translation> {0} images rejetées masquées.</translation>
    </message>
    <message>
        <source>Study opened</source>
        <translation>Examen ouvert</translation>
    </message>
    <message>
        <source> from the local library</source>
        <translation> depuis la bibliothèque locale</translation>
    </message>
    <message>
        <source>; {0} rejected images hidden</source>
        <translation>; {0} images rejetées masquées</translation>
    </message>
    <message>
        <source>{0} rejected images hidden</source>
        <translation>{0} images rejetées masquées</translation>
    </message>
    <message>
        <source>Loading </source>
        <translation>Chargement </translation>
    </message>
    <message>
        <source>Open a study (or select an image in QC mode) to see its DICOM tags.</source>
        <translation>Ouvrez un examen (ou sélectionnez une image en mode CQ) pour voir ses balises DICOM.</translation>
    </message>
    <message>
        <source>Open a study to export it.</source>
        <translation>Ouvrez un examen pour l&apos;exporter.</translation>
    </message>
    <message>
        <source>&amp;MPR (axial, coronal, sagittal)</source>
        <translation>&amp;MPR (axial, coronal, sagittal)</translation>
    </message>
    <message>
        <source>3D &amp;volume rendering</source>
        <translation>Rendu &amp;volumique 3D</translation>
    </message>
    <message>
        <source>Open a study and pick a volume series in a viewport first; MPR and 3D show the active viewport&apos;s series.</source>
        <translation>Ouvrez d&apos;abord un examen et choisissez une série volumique dans une fenêtre ; la MPR et la 3D montrent la série de la fenêtre active.</translation>
    </message>
    <message>
        <source>The active viewport&apos;s series is not a volume (parallel slices of one stack), so it cannot be reformatted; choose a CT or MR series.</source>
        <translation>La série de la fenêtre active n&apos;est pas un volume (coupes parallèles d&apos;une même pile) et ne peut donc pas être reconstruite ; choisissez une série de scanner ou d&apos;IRM.</translation>
    </message>
    <message>
        <source>Reading the images</source>
        <translation>Lecture des images</translation>
    </message>
    <message>
        <source>{0} measurement(s) shown on the MPR planes</source>
        <translation>{0} mesure(s) affichée(s) sur les plans MPR</translation>
    </message>
    <message>
        <source>; {0} of other kinds (ROIs, text) stay on the 2D images</source>
        <translation>; {0} d&apos;autres types (ROI, texte) restent sur les images 2D</translation>
    </message>
    <message>
        <source>&amp;Hanging</source>
        <translation>&amp;Protocoles</translation>
    </message>
    <message>
        <source>&amp;Next stage</source>
        <translation>Étape &amp;suivante</translation>
    </message>
    <message>
        <source>&amp;Previous stage</source>
        <translation>Étape &amp;précédente</translation>
    </message>
    <message>
        <source>&amp;Save this layout as a protocol...</source>
        <translation>&amp;Enregistrer cette disposition comme protocole...</translation>
    </message>
    <message>
        <source>&amp;Edit protocols...</source>
        <translation>&amp;Modifier les protocoles...</translation>
    </message>
    <message>
        <source>&amp;Import protocol...</source>
        <translation>&amp;Importer un protocole...</translation>
    </message>
    <message>
        <source>&amp;Export current protocol...</source>
        <translation>E&amp;xporter le protocole actuel...</translation>
    </message>
    <message>
        <source>&amp;Apply protocols when a study opens</source>
        <translation>&amp;Appliquer les protocoles à l&apos;ouverture d&apos;un examen</translation>
    </message>
    <message>
        <source>Settings saved.</source>
        <translation>Paramètres enregistrés.</translation>
    </message>
    <message>
        <source> Searching {0}.</source>
        <translation> Recherche dans {0}.</translation>
    </message>
    <message>
        <source>{0} The workstation now closes.</source>
        <translation>{0} La station de travail va maintenant se fermer.</translation>
    </message>
    <message>
        <source>Adding demo study</source>
        <translation>Ajout de l&apos;examen de démonstration</translation>
    </message>
    <message>
        <source>Adding the demo study</source>
        <translation>Ajout de l&apos;examen de démonstration</translation>
    </message>
    <message>
        <source>Demo study added ({0} images).</source>
        <translation>Examen de démonstration ajouté ({0} images).</translation>
    </message>
    <message>
        <source>Import a folder of DICOM files</source>
        <translation>Importer un dossier de fichiers DICOM</translation>
    </message>
    <message>
        <source>Importing</source>
        <translation>Importation</translation>
    </message>
</context>
<context>
    <name>MeasureTools</name>
    <message>
        <source>This image has not arrived yet; measure it once it is shown.</source>
        <extracomment>The layer name of the DrawOps drawn here (not written to DICOM: the GSPS writer has its own). Colours: measurements, the selected one, the one being drawn. Saved measurements and annotations of another study shown beside this one (a prior). The layer of the DrawOps of another study&apos;s saved objects. How near (screen pixels) a click must be to a measurement&apos;s outline to select it. How near (screen pixels) a press must be to a handle to drag it rather than the shape. Longest side of a key-image thumbnail (image pixels). A press and release further apart than this (screen pixels) is a drag. Tool keys (keyboard shortcuts of the Measure menu). Points clicked or dragged before a drawing is finished (freehand: a drag, any number). A viewport shows a display set of a study other than this one (a prior): its Study Instance UID, once per study. Versions saved last (the next save names them as predecessors). True once measurements were read back from a report: the saved presentation state&apos;s copies of them (its graphic layer) are then not drawn twice. Small display images (uint8) of the key images, by SOP Instance UID. How each key image was shown when it was marked (window, displayed area), by SOP Instance UID: its presentation state for the printed report (:meth:`key_picture`). The Study Instance UID of this study (others shown beside it are priors). Saved objects of the other studies shown in this study&apos;s viewports, by Study Instance UID.</extracomment>
        <translation>Cette image n&apos;est pas encore arrivée ; mesurez-la une fois affichée.</translation>
    </message>
    <message>
        <source>The ellipse is too small to measure; drag a larger box.</source>
        <translation>L&apos;ellipse est trop petite pour être mesurée ; tracez un cadre plus grand.</translation>
    </message>
    <message>
        <source>The rectangle is too small to measure; drag a larger box.</source>
        <translation>Le rectangle est trop petit pour être mesuré ; tracez un cadre plus grand.</translation>
    </message>
    <message>
        <source>Annotation text</source>
        <translation>Texte de l&apos;annotation</translation>
    </message>
    <message>
        <source>Text:</source>
        <translation>Texte :</translation>
    </message>
    <message>
        <source>This image has not arrived yet; edit the measurement once it is shown.</source>
        <translation>Cette image n&apos;est pas encore arrivée ; modifiez la mesure une fois l&apos;image affichée.</translation>
    </message>
</context>
<context>
    <name>MeasurementPanel</name>
    <message>
        <source>Measurements</source>
        <extracomment>Starting width of the side panel (pixels): the report editor, a tab in its place, fits in it.</extracomment>
        <translation>Mesures</translation>
    </message>
    <message>
        <source>Measurements of this study; click one to show its image</source>
        <translation>Mesures de cet examen ; cliquez sur une mesure pour afficher son image</translation>
    </message>
    <message>
        <source>Key images</source>
        <translation>Images clés</translation>
    </message>
    <message>
        <source>Key images (K marks or unmarks the image shown); click one to show it</source>
        <translation>Images clés (K marque ou démarque l&apos;image affichée) ; cliquez sur une image pour l&apos;afficher</translation>
    </message>
    <message>
        <source>Note...</source>
        <translation>Note...</translation>
    </message>
    <message>
        <source>Edit the note saved with the key images</source>
        <translation>Modifier la note enregistrée avec les images clés</translation>
    </message>
    <message>
        <source>Saved with the {0} (read-only here); click to show its image, double-click to open that study in its own tab and edit its measurements</source>
        <translation>Enregistrée avec {0} (lecture seule ici) ; cliquez pour afficher son image, double-cliquez pour ouvrir cet examen dans son propre onglet et modifier ses mesures</translation>
    </message>
    <message>
        <source>Key image</source>
        <translation>Image clé</translation>
    </message>
    <message>
        <source>Key image of the {0}</source>
        <translation>Image clé de {0}</translation>
    </message>
    <message>
        <source>Key images ({0})</source>
        <translation>Images clés ({0})</translation>
    </message>
</context>
<context>
    <name>MeasurementRoom</name>
    <message>
        <source>Scroll (no tool)</source>
        <extracomment>How to open each prior whose saved objects were read (for editing them in its own tab).</extracomment>
        <translation>Défilement (aucun outil)</translation>
    </message>
    <message>
        <source>Mark &amp;key image</source>
        <translation>Marquer comme image &amp;clé</translation>
    </message>
    <message>
        <source>&amp;Undo measurement</source>
        <translation>&amp;Annuler la mesure</translation>
    </message>
    <message>
        <source>&amp;Redo measurement</source>
        <translation>&amp;Rétablir la mesure</translation>
    </message>
    <message>
        <source>&amp;Delete measurement</source>
        <translation>&amp;Supprimer la mesure</translation>
    </message>
    <message>
        <source>&amp;Save measurements and key images</source>
        <translation>&amp;Enregistrer les mesures et images clés</translation>
    </message>
    <message>
        <source>&amp;Measure</source>
        <translation>&amp;Mesurer</translation>
    </message>
    <message>
        <source>Measurement tools</source>
        <translation>Outils de mesure</translation>
    </message>
    <message>
        <source>Objects &amp;waiting for the archive...</source>
        <translation>Objets en &amp;attente de l&apos;archive...</translation>
    </message>
    <message>
        <source>Saved objects not yet in the archive; click to see them</source>
        <translation>Objets enregistrés pas encore dans l&apos;archive ; cliquez pour les voir</translation>
    </message>
    <message>
        <source>{0} waiting object(s) stored in the archive.</source>
        <translation>{0} objet(s) en attente enregistré(s) dans l&apos;archive.</translation>
    </message>
    <message>
        <source>Nothing could be sent yet; the objects keep waiting.</source>
        <translation>Rien n&apos;a encore pu être envoyé ; les objets restent en attente.</translation>
    </message>
    <message>
        <source>The saved measurements could not be read: {0}</source>
        <extracomment>Studies whose saved objects are being read or were read (for priors), per study view.</extracomment>
        <translation>Les mesures enregistrées n&apos;ont pas pu être lues : {0}</translation>
    </message>
    <message>
        <source>A saved object of the prior could not be read: {0}</source>
        <translation>Un objet enregistré de l&apos;antérieur n&apos;a pas pu être lu : {0}</translation>
    </message>
    <message>
        <source>prior {0}</source>
        <translation>antérieur du {0}</translation>
    </message>
    <message>
        <source>study</source>
        <translation>examen</translation>
    </message>
    <message>
        <source>The {0}: {1} saved measurement{2} shown (read-only).</source>
        <translation>{0} : {1} mesure(s) enregistrée(s) affichée(s) (lecture seule).</translation>
    </message>
    <message>
        <source>Opening the {0} study to edit its measurements.</source>
        <translation>Ouverture de l&apos;examen du {0} pour modifier ses mesures.</translation>
    </message>
    <message>
        <source>The prior&apos;s saved measurements could not be read: {0}</source>
        <translation>Les mesures enregistrées de l&apos;antérieur n&apos;ont pas pu être lues : {0}</translation>
    </message>
    <message>
        <source>Show an image first to mark it as a key image.</source>
        <translation>Affichez d&apos;abord une image pour la marquer comme image clé.</translation>
    </message>
    <message>
        <source>Key image marked</source>
        <translation>Image clé marquée</translation>
    </message>
    <message>
        <source>Key image unmarked</source>
        <translation>Image clé démarquée</translation>
    </message>
    <message>
        <source>The saved MPR measurements could not be read: {0}</source>
        <translation>Les mesures MPR enregistrées n&apos;ont pas pu être lues : {0}</translation>
    </message>
    <message>
        <source>Open a study and measure before saving.</source>
        <translation>Ouvrez un examen et mesurez avant d&apos;enregistrer.</translation>
    </message>
    <message>
        <source>There is nothing to save: draw a measurement or mark a key image first.</source>
        <translation>Rien à enregistrer : tracez une mesure ou marquez d&apos;abord une image clé.</translation>
    </message>
    <message>
        <source>Saving...</source>
        <translation>Enregistrement...</translation>
    </message>
    <message>
        <source>{0} object{1} waiting for the archive; they are kept and sent on the next save.</source>
        <translation>{0} objet(s) en attente de l&apos;archive ; ils sont conservés et envoyés au prochain enregistrement.</translation>
    </message>
    <message>
        <source>Measurements saved ({0} object{1} stored in the archive).</source>
        <translation>Mesures enregistrées ({0} objet(s) stocké(s) dans l&apos;archive).</translation>
    </message>
    <message>
        <source>Saving failed: {0}</source>
        <translation>Échec de l&apos;enregistrement : {0}</translation>
    </message>
</context>
<context>
    <name>MprMeasureTool</name>
    <message>
        <source>A {0} cannot be drawn on an MPR plane; use length, angle or probe.</source>
        <extracomment>Colours: measurements, the selected one, the one being drawn. Label font size (pixels, fixed at every zoom) and offset from its anchor point. Height of a label line (pixels). A click within this many screen pixels of a measurement&apos;s point selects it. What is drawn: (measurement id, screen points y down, label, label anchor y down).</extracomment>
        <translation>Un outil {0} ne peut pas être tracé sur un plan MPR ; utilisez longueur, angle ou sonde.</translation>
    </message>
</context>
<context>
    <name>MprView</name>
    <message>
        <source>Thin</source>
        <extracomment>Where each plane sits in the 2 x 2 window: (x0, y0, x1, y1) in VTK&apos;s normalised viewport coordinates (y up). The fourth quarter holds the legend. The whole window, for a maximised pane. Magnification per wheel notch with Ctrl held. Degrees the crosshair turns per [ or ] key press. Positions per Page Up / Page Down.</extracomment>
        <translation>Fine</translation>
    </message>
    <message>
        <source>MinIP</source>
        <translation>MinIP</translation>
    </message>
    <message>
        <source>Average</source>
        <translation>Moyenne</translation>
    </message>
    <message>
        <source>Linear</source>
        <translation>Linéaire</translation>
    </message>
    <message>
        <source>Cubic</source>
        <translation>Cubique</translation>
    </message>
    <message>
        <source>Nearest</source>
        <translation>Plus proche voisin</translation>
    </message>
    <message>
        <source>No measuring</source>
        <translation>Pas de mesure</translation>
    </message>
    <message>
        <source>Length</source>
        <translation>Longueur</translation>
    </message>
    <message>
        <source>Angle</source>
        <translation>Angle</translation>
    </message>
    <message>
        <source>Probe</source>
        <translation>Sonde</translation>
    </message>
    <message>
        <source>Legend</source>
        <extracomment>What the fourth pane shows when no curved reformat is open.</extracomment>
        <translation>Légende</translation>
    </message>
    <message>
        <source>Source image</source>
        <translation>Image source</translation>
    </message>
    <message>
        <source> mm</source>
        <extracomment>Milliseconds after the last drag or wheel step before the full-quality picture is drawn. The three planes after any change (crosshair, rotation): {name: ImagePlane}, for reference lines on the 2D viewports (workstation.model.spatial.reference_line). The MPR measurements changed (added, deleted, selected). A hanging protocol&apos;s MPR viewport: only this plane, over the whole view, no tool row. Set by the main window: the study view, &quot;mpr&quot;/&quot;3d&quot; and the display set shown. The pane shown alone (double-click), or None for the 2 x 2 layout. Curved MPR: the fourth pane shows the curved reformat; clicks add path points.</extracomment>
        <translation> mm</translation>
    </message>
    <message>
        <source>Slab thickness in mm (0: a thin plane)</source>
        <translation>Épaisseur de coupe en mm (0 : un plan fin)</translation>
    </message>
    <message>
        <source>How a thick slab is projected</source>
        <translation>Projection d&apos;une coupe épaisse</translation>
    </message>
    <message>
        <source>Interpolation between voxel centres</source>
        <translation>Interpolation entre les centres des voxels</translation>
    </message>
    <message>
        <source>Window presets (keys 1-9); right-drag changes the window</source>
        <translation>Préréglages de fenêtre (touches 1-9) ; le glisser avec le bouton droit change la fenêtre</translation>
    </message>
    <message>
        <source>Orthogonal (O)</source>
        <translation>Orthogonal (O)</translation>
    </message>
    <message>
        <source>Reset the crosshair axes to axial, coronal and sagittal</source>
        <translation>Ramener les axes du réticule en axial, coronal et sagittal</translation>
    </message>
    <message>
        <source>Curved</source>
        <translation>Curviligne</translation>
    </message>
    <message>
        <source>Curved MPR: click points along a structure in the pane used last; Enter or Esc finishes</source>
        <translation>MPR curviligne : cliquez des points le long d&apos;une structure dans le volet utilisé en dernier ; Entrée ou Échap termine</translation>
    </message>
    <message>
        <source>Measure on any plane in mm (patient space): click the points; Del deletes the selected one</source>
        <translation>Mesurer sur n&apos;importe quel plan en mm (repère patient) : cliquez les points ; Suppr efface la mesure sélectionnée</translation>
    </message>
    <message>
        <source>Fourth pane: the legend, or the acquired slice at the crosshair with the planes&apos; reference lines</source>
        <translation>Quatrième volet : la légende, ou la coupe acquise au réticule avec les lignes de référence des plans</translation>
    </message>
    <message>
        <source>MPR measurements: click one to select it and go to its plane; Del deletes it</source>
        <translation>Mesures MPR : cliquez sur une mesure pour la sélectionner et aller à son plan ; Suppr l&apos;efface</translation>
    </message>
    <message>
        <source>Slab</source>
        <extracomment>&quot;legend&quot; or &quot;source&quot;: the fourth pane when no curved reformat is open.</extracomment>
        <translation>Coupe épaisse</translation>
    </message>
    <message>
        <source>Interpolation</source>
        <translation>Interpolation</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>Fenêtre</translation>
    </message>
    <message>
        <source>Measure</source>
        <translation>Mesurer</translation>
    </message>
    <message>
        <source>Curved MPR: click points along the structure in the {0} pane; Enter or Esc finishes.</source>
        <translation>MPR curviligne : cliquez des points le long de la structure dans le volet {0} ; Entrée ou Échap termine.</translation>
    </message>
    <message>
        <source>Crosshair (LPS mm): {0}, {1}, {2}</source>
        <translation>Réticule (mm LPS) : {0} ; {1} ; {2}</translation>
    </message>
    <message>
        <source>Slab {0} mm {1}</source>
        <translation>Coupe épaisse {0} mm {1}</translation>
    </message>
    <message>
        <source>L {0}  P {1}  H {2} mm</source>
        <translation>L {0}  P {1}  H {2} mm</translation>
    </message>
    <message>
        <source>{0}: {1}/{2}  normal {3}</source>
        <translation>{0} : {1}/{2}  normale {3}</translation>
    </message>
    <message>
        <source>Interpolation: {0}</source>
        <translation>Interpolation : {0}</translation>
    </message>
    <message>
        <source>Oblique planes (O: orthogonal)</source>
        <translation>Plans obliques (O : orthogonal)</translation>
    </message>
    <message>
        <source>The MPR volume is not loaded yet; wait for it to load.</source>
        <translation>Le volume MPR n&apos;est pas encore chargé ; attendez la fin du chargement.</translation>
    </message>
</context>
<context>
    <name>OutboxView</name>
    <message>
        <source>RIS (FHIR R4)</source>
        <translation>RIS (FHIR R4)</translation>
    </message>
    <message>
        <source>RIS (HL7 v2)</source>
        <translation>RIS (HL7 v2)</translation>
    </message>
    <message>
        <source>Archive (STOW-RS)</source>
        <translation>Archive (STOW-RS)</translation>
    </message>
    <message>
        <source>Outbox: signed reports</source>
        <translation>Boîte d&apos;envoi : comptes rendus signés</translation>
    </message>
    <message>
        <source>Report / destination</source>
        <translation>Compte rendu / destination</translation>
    </message>
    <message>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Détails</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Réessayer</translation>
    </message>
    <message>
        <source>Queue failed deliveries again and try everything undelivered now</source>
        <translation>Remettre en file les envois échoués et tenter tout ce qui n&apos;est pas livré maintenant</translation>
    </message>
    <message>
        <source>Signed {0} · accession {1}</source>
        <translation>Signé le {0} · n° d&apos;accession {1}</translation>
    </message>
    <message>
        <source>{0}; version {1}</source>
        <translation>{0} ; version {1}</translation>
    </message>
    <message>
        <source>(cannot be delivered)</source>
        <translation>(ne peut pas être livré)</translation>
    </message>
    <message>
        <source>(no destination)</source>
        <translation>(aucune destination)</translation>
    </message>
    <message>
        <source>No RIS or archive was configured when it was queued.</source>
        <translation>Aucun RIS ni archive n&apos;était configuré lors de sa mise en file.</translation>
    </message>
    <message>
        <source>No RIS or archive is configured: signed reports wait here until one is set (File &gt; Settings for the archive, the settings file&apos;s &quot;ris&quot; entry for the RIS).</source>
        <translation>Aucun RIS ni archive n&apos;est configuré : les comptes rendus signés attendent ici jusqu&apos;à ce qu&apos;un destinataire soit défini (Fichier &gt; Paramètres pour l&apos;archive, l&apos;entrée « ris » du fichier de paramètres pour le RIS).</translation>
    </message>
    <message>
        <source>The outbox is empty.</source>
        <translation>La boîte d&apos;envoi est vide.</translation>
    </message>
    <message>
        <source>{0} signed report(s), {1} not yet delivered everywhere. Destinations: {2}.</source>
        <translation>{0} compte(s) rendu(s) signé(s), {1} pas encore livré(s) partout. Destinations : {2}.</translation>
    </message>
</context>
<context>
    <name>PendingView</name>
    <message>
        <source>Waiting for the archive</source>
        <translation>En attente de l&apos;archive</translation>
    </message>
    <message>
        <source>Send now</source>
        <translation>Envoyer maintenant</translation>
    </message>
    <message>
        <source>Try to store every waiting object in the archive now</source>
        <translation>Tenter maintenant d&apos;enregistrer dans l&apos;archive chaque objet en attente</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Abandonner</translation>
    </message>
    <message>
        <source>Drop the selected object the archive refused (it is not sent)</source>
        <translation>Abandonner l&apos;objet sélectionné refusé par l&apos;archive (il ne sera pas envoyé)</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <source>Nothing is waiting: everything saved is in the archive.</source>
        <translation>Rien n&apos;est en attente : tout ce qui a été enregistré est dans l&apos;archive.</translation>
    </message>
    <message>
        <source>Sending...</source>
        <translation>Envoi...</translation>
    </message>
    <message>
        <source>{0} sent</source>
        <translation>{0} envoyé(s)</translation>
    </message>
    <message>
        <source>; {0} still waiting.</source>
        <translation> ; {0} encore en attente.</translation>
    </message>
    <message>
        <source>; nothing is waiting.</source>
        <translation> ; rien n&apos;est en attente.</translation>
    </message>
    <message>
        <source>Discard this {0}? It will not reach the archive.</source>
        <translation>Abandonner ce {0} ? Il n&apos;atteindra pas l&apos;archive.</translation>
    </message>
</context>
<context>
    <name>PendingWatcher</name>
    <message>
        <source>No archive is configured; add one in File &gt; Settings, then Send now.</source>
        <translation>Aucune archive n&apos;est configurée ; ajoutez-en une dans Fichier &gt; Paramètres, puis Envoyer maintenant.</translation>
    </message>
</context>
<context>
    <name>PlaceholderDialog</name>
    <message>
        <source>Template text not written by you</source>
        <extracomment>What the reader chose for untouched placeholders when signing.</extracomment>
        <translation>Texte du modèle non écrit par vous</translation>
    </message>
    <message>
        <source>These parts of the report still hold template text or default values that you have neither edited nor accepted:</source>
        <translation>Ces parties du compte rendu contiennent encore du texte du modèle ou des valeurs par défaut que vous n&apos;avez ni modifiés ni acceptés :</translation>
    </message>
    <message>
        <source>Sign without them (they are left out of the report), keep them as your own text, or go back and edit them?</source>
        <translation>Signer sans elles (elles sont retirées du compte rendu), les garder comme votre propre texte, ou revenir les modifier ?</translation>
    </message>
    <message>
        <source>Sign without them</source>
        <translation>Signer sans elles</translation>
    </message>
    <message>
        <source>Keep them as my text</source>
        <translation>Les garder comme mon texte</translation>
    </message>
    <message>
        <source>Go back</source>
        <translation>Revenir</translation>
    </message>
</context>
<context>
    <name>ProtocolEditor</name>
    <message>
        <source>Display set</source>
        <extracomment>A read-only (shipped) protocol&apos;s &quot;Duplicate to edit&quot; was pressed.</extracomment>
        <translation>Ensemble d&apos;affichage</translation>
    </message>
    <message>
        <source>View</source>
        <translation>Vue</translation>
    </message>
    <message>
        <source>Plane</source>
        <translation>Plan</translation>
    </message>
    <message>
        <source>W/L preset</source>
        <translation>Préréglage F/N</translation>
    </message>
    <message>
        <source>Initial image</source>
        <translation>Image initiale</translation>
    </message>
    <message>
        <source>Zoom</source>
        <translation>Zoom</translation>
    </message>
    <message>
        <source>Sync groups</source>
        <translation>Groupes de synchronisation</translation>
    </message>
    <message>
        <source>Orientation</source>
        <translation>Orientation</translation>
    </message>
    <message>
        <source>Justify</source>
        <translation>Alignement</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Libellé</translation>
    </message>
    <message>
        <source>Required</source>
        <translation>Obligatoire</translation>
    </message>
    <message>
        <source>View hanging protocol</source>
        <translation>Voir le protocole d&apos;affichage</translation>
    </message>
    <message>
        <source>Edit hanging protocol</source>
        <translation>Modifier le protocole d&apos;affichage</translation>
    </message>
    <message>
        <source>How many priors the protocol compares with (they are prefetched)</source>
        <translation>Nombre d&apos;examens antérieurs comparés par le protocole (ils sont préchargés)</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Id (file name)</source>
        <translation>Identifiant (nom de fichier)</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>Number of priors</source>
        <translation>Nombre d&apos;antérieurs</translation>
    </message>
    <message>
        <source>When does this protocol apply? Rules tested on the current study; a failed required rule rules the protocol out, the others add their weight.</source>
        <translation>Quand ce protocole s&apos;applique-t-il ? Règles testées sur l&apos;examen actuel ; l&apos;échec d&apos;une règle obligatoire exclut le protocole, les autres ajoutent leur poids.</translation>
    </message>
    <message>
        <source>Protocol rules</source>
        <translation>Règles du protocole</translation>
    </message>
    <message>
        <source>0 = the current study, 1 = the best prior, 2 = the next...</source>
        <translation>0 = l&apos;examen actuel, 1 = le meilleur antérieur, 2 = le suivant...</translation>
    </message>
    <message>
        <source>Add display set</source>
        <translation>Ajouter un ensemble d&apos;affichage</translation>
    </message>
    <message>
        <source>Remove display set</source>
        <translation>Retirer l&apos;ensemble d&apos;affichage</translation>
    </message>
    <message>
        <source>Display set id</source>
        <translation>Identifiant de l&apos;ensemble d&apos;affichage</translation>
    </message>
    <message>
        <source>Study (0 current, n prior)</source>
        <translation>Examen (0 actuel, n antérieur)</translation>
    </message>
    <message>
        <source>Display sets</source>
        <translation>Ensembles d&apos;affichage</translation>
    </message>
    <message>
        <source>Add stage</source>
        <translation>Ajouter une étape</translation>
    </message>
    <message>
        <source>Remove stage</source>
        <translation>Retirer l&apos;étape</translation>
    </message>
    <message>
        <source>Sync group</source>
        <translation>Groupe de synchronisation</translation>
    </message>
    <message>
        <source>Scroll</source>
        <translation>Défilement</translation>
    </message>
    <message>
        <source>Add sync group</source>
        <translation>Ajouter un groupe de synchronisation</translation>
    </message>
    <message>
        <source>Remove sync group</source>
        <translation>Retirer le groupe de synchronisation</translation>
    </message>
    <message>
        <source>Add viewport</source>
        <translation>Ajouter une fenêtre</translation>
    </message>
    <message>
        <source>Remove viewport</source>
        <translation>Retirer la fenêtre</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>Étape</translation>
    </message>
    <message>
        <source>Rows</source>
        <translation>Lignes</translation>
    </message>
    <message>
        <source>Columns</source>
        <translation>Colonnes</translation>
    </message>
    <message>
        <source>Min. viewports filled</source>
        <translation>Fenêtres remplies (min.)</translation>
    </message>
    <message>
        <source>Sync groups (viewports in a group scroll / window / zoom together)</source>
        <translation>Groupes de synchronisation (les fenêtres d&apos;un groupe défilent / fenêtrent / zooment ensemble)</translation>
    </message>
    <message>
        <source>Viewports, filled row by row</source>
        <translation>Fenêtres, remplies ligne par ligne</translation>
    </message>
    <message>
        <source>Stages and viewports</source>
        <translation>Étapes et fenêtres</translation>
    </message>
    <message>
        <source>Shipped protocols are read-only: duplicate it to make your own version.</source>
        <translation>Les protocoles livrés sont en lecture seule : dupliquez-le pour créer votre propre version.</translation>
    </message>
    <message>
        <source>Duplicate to edit</source>
        <translation>Dupliquer pour modifier</translation>
    </message>
    <message>
        <source>This protocol is shipped with the workstation and is read-only; duplicate it to change it.</source>
        <translation>Ce protocole est livré avec la station de travail et est en lecture seule ; dupliquez-le pour le modifier.</translation>
    </message>
    <message>
        <source>Another display set already has this id; choose another.</source>
        <translation>Un autre ensemble d&apos;affichage a déjà cet identifiant ; choisissez-en un autre.</translation>
    </message>
    <message>
        <source>Stage {0}</source>
        <translation>Étape {0}</translation>
    </message>
    <message>
        <source>A window/level preset name; empty = the image&apos;s own window</source>
        <translation>Nom d&apos;un préréglage de fenêtre ; vide = la fenêtre propre de l&apos;image</translation>
    </message>
    <message>
        <source>group ids, comma-separated</source>
        <translation>identifiants de groupes, séparés par des virgules</translation>
    </message>
    <message>
        <source>e.g. P or P\L</source>
        <translation>p. ex. P ou P\L</translation>
    </message>
    <message>
        <source>Rule {0}: {1}</source>
        <translation>Règle {0} : {1}</translation>
    </message>
    <message>
        <source>Viewport {0}: {1}</source>
        <translation>Fenêtre {0} : {1}</translation>
    </message>
    <message>
        <source>is already the id of another of your protocols; choose another</source>
        <translation>est déjà l&apos;identifiant d&apos;un autre de vos protocoles ; choisissez-en un autre</translation>
    </message>
    <message>
        <source>Could not write the protocol into {0}; check the folder&apos;s permissions.</source>
        <translation>Impossible d&apos;écrire le protocole dans {0} ; vérifiez les droits du dossier.</translation>
    </message>
</context>
<context>
    <name>ProtocolLibrary</name>
    <message>
        <source>Hanging protocols</source>
        <translation>Protocoles d&apos;affichage</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>Identifiant</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Origine</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Modifier</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>Dupliquer</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Supprimer</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <source>yours (replaces the shipped one)</source>
        <translation>le vôtre (remplace celui livré)</translation>
    </message>
    <message>
        <source>yours</source>
        <translation>le vôtre</translation>
    </message>
    <message>
        <source>shipped (replaced by yours)</source>
        <translation>livré (remplacé par le vôtre)</translation>
    </message>
    <message>
        <source>shipped, read-only</source>
        <translation>livré, lecture seule</translation>
    </message>
    <message>
        <source>View</source>
        <translation>Voir</translation>
    </message>
    <message>
        <source>Delete your hanging protocol &apos;{0}&apos;?</source>
        <translation>Supprimer votre protocole d&apos;affichage « {0} » ?</translation>
    </message>
    <message>
        <source>Delete protocol</source>
        <translation>Supprimer le protocole</translation>
    </message>
</context>
<context>
    <name>QCView</name>
    <message>
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <source>QC status</source>
        <translation>État CQ</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Patient</translation>
    </message>
    <message>
        <source>Patient ID</source>
        <translation>ID patient</translation>
    </message>
    <message>
        <source>Modality</source>
        <translation>Modalité</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>Accession</source>
        <translation>N° d&apos;accession</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Images</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>Gravité</translation>
    </message>
    <message>
        <source>Finding</source>
        <translation>Constat</translation>
    </message>
    <message>
        <source>Series</source>
        <translation>Série</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>N°</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Rejetées</translation>
    </message>
    <message>
        <source>Position</source>
        <translation>Position</translation>
    </message>
    <message>
        <source>SOP Instance UID</source>
        <translation>UID d&apos;instance SOP</translation>
    </message>
    <message>
        <source>Today</source>
        <extracomment>A finding was chosen: its series UID and the SOP Instance UIDs of its images (the reading room takes an open study&apos;s viewport there).</extracomment>
        <translation>Aujourd&apos;hui</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Actualiser</translation>
    </message>
    <message>
        <source>Day:</source>
        <translation>Jour :</translation>
    </message>
    <message>
        <source>Select a study to check it.</source>
        <translation>Sélectionnez un examen pour le contrôler.</translation>
    </message>
    <message>
        <source>Mark as checked (QC passed)</source>
        <translation>Marquer comme contrôlé (CQ réussi)</translation>
    </message>
    <message>
        <source>Export PDF...</source>
        <translation>Exporter en PDF...</translation>
    </message>
    <message>
        <source>Export JSON...</source>
        <translation>Exporter en JSON...</translation>
    </message>
    <message>
        <source>Reject series...</source>
        <translation>Rejeter la série...</translation>
    </message>
    <message>
        <source>Reject selected images...</source>
        <translation>Rejeter les images sélectionnées...</translation>
    </message>
    <message>
        <source>Correct demographics...</source>
        <translation>Corriger l&apos;identité...</translation>
    </message>
    <message>
        <source>DICOM tags...</source>
        <translation>Balises DICOM...</translation>
    </message>
    <message>
        <source>Open for reading</source>
        <translation>Ouvrir pour lecture</translation>
    </message>
    <message>
        <source>Check again</source>
        <translation>Contrôler à nouveau</translation>
    </message>
    <message>
        <source>Findings</source>
        <translation>Constats</translation>
    </message>
    <message>
        <source>Series (rejected ones greyed)</source>
        <translation>Séries (rejetées en grisé)</translation>
    </message>
    <message>
        <source>Images of the series</source>
        <translation>Images de la série</translation>
    </message>
    <message>
        <source>the archive “{0}”</source>
        <translation>l&apos;archive « {0} »</translation>
    </message>
    <message>
        <source>the local library (no archive is configured)</source>
        <translation>la bibliothèque locale (aucune archive configurée)</translation>
    </message>
    <message>
        <source>Reading the library...</source>
        <translation>Lecture de la bibliothèque...</translation>
    </message>
    <message>
        <source>Reading the QC worklist</source>
        <translation>Lecture de la liste de travail CQ</translation>
    </message>
    <message>
        <source>{0} stud{1} on {2}</source>
        <translation>{0} examen(s) le {2}</translation>
    </message>
    <message>
        <source> in the local library</source>
        <translation> dans la bibliothèque locale</translation>
    </message>
    <message>
        <source>The study in front is not in the local library yet, so QC cannot check it; the day&apos;s studies are listed.</source>
        <translation>L&apos;examen au premier plan n&apos;est pas encore dans la bibliothèque locale : le CQ ne peut pas le contrôler ; les examens du jour sont listés.</translation>
    </message>
    <message>
        <source>Checking the study of {0}...</source>
        <translation>Contrôle de l&apos;examen du {0}...</translation>
    </message>
    <message>
        <source>Decoding images</source>
        <translation>Décodage des images</translation>
    </message>
    <message>
        <source>Running the QC checks</source>
        <translation>Contrôles CQ en cours</translation>
    </message>
    <message>
        <source>{0} of {1} rejected</source>
        <translation>{0} sur {1} rejetée(s)</translation>
    </message>
    <message>
        <source>Select a series or an image to see its DICOM tags.</source>
        <translation>Sélectionnez une série ou une image pour voir ses balises DICOM.</translation>
    </message>
    <message>
        <source>This study has {0} error-level QC finding(s); correct or reject the images first, or confirm that it passes despite them.</source>
        <translation>Cet examen a {0} constat(s) CQ de niveau erreur ; corrigez ou rejetez d&apos;abord les images, ou confirmez qu&apos;il est validé malgré tout.</translation>
    </message>
    <message>
        <source>QC passed despite errors?</source>
        <translation>CQ validé malgré les erreurs ?</translation>
    </message>
    <message>
        <source> Mark it as passed anyway?</source>
        <translation> Le marquer quand même comme validé ?</translation>
    </message>
    <message>
        <source>Mark as passed despite errors</source>
        <translation>Marquer comme validé malgré les erreurs</translation>
    </message>
    <message>
        <source>Not marked as passed: {0}</source>
        <translation>Non marqué comme validé : {0}</translation>
    </message>
    <message>
        <source>Study marked as checked (QC passed)</source>
        <translation>Examen marqué comme contrôlé (CQ réussi)</translation>
    </message>
    <message>
        <source> despite its errors.</source>
        <translation> malgré ses erreurs.</translation>
    </message>
    <message>
        <source>Marking as checked</source>
        <translation>Marquage comme contrôlé</translation>
    </message>
    <message>
        <source>Export the QC report as PDF</source>
        <translation>Exporter le rapport CQ en PDF</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>The PDF {0} cannot be written ({1}); choose another folder.</source>
        <translation>Le PDF {0} ne peut pas être écrit ({1}) ; choisissez un autre dossier.</translation>
    </message>
    <message>
        <source>Writing the PDF</source>
        <translation>Écriture du PDF</translation>
    </message>
    <message>
        <source>QC report written to {0}.</source>
        <translation>Rapport CQ écrit dans {0}.</translation>
    </message>
    <message>
        <source>Export the QC report as JSON</source>
        <translation>Exporter le rapport CQ en JSON</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>The file {0} cannot be written ({1}); choose another folder.</source>
        <translation>Le fichier {0} ne peut pas être écrit ({1}) ; choisissez un autre dossier.</translation>
    </message>
    <message>
        <source>Writing the JSON report</source>
        <translation>Écriture du rapport JSON</translation>
    </message>
    <message>
        <source>Select a series that still has images to reject (rejected series are greyed).</source>
        <translation>Sélectionnez une série qui a encore des images à rejeter (les séries rejetées sont grisées).</translation>
    </message>
    <message>
        <source>series {0}</source>
        <translation>série {0}</translation>
    </message>
    <message>
        <source>{0} image(s) of {1}</source>
        <translation>{0} image(s) de {1}</translation>
    </message>
    <message>
        <source>Select the images to reject in the list of the series&apos; images.</source>
        <translation>Sélectionnez les images à rejeter dans la liste des images de la série.</translation>
    </message>
    <message>
        <source>{0} image(s) of series {1}</source>
        <translation>{0} image(s) de la série {1}</translation>
    </message>
    <message>
        <source>The archive refused the rejection note ({0}); nothing was rejected: check the archive and try again.</source>
        <translation>L&apos;archive a refusé la note de rejet ({0}) ; rien n&apos;a été rejeté : vérifiez l&apos;archive et réessayez.</translation>
    </message>
    <message>
        <source>the archive</source>
        <translation>l&apos;archive</translation>
    </message>
    <message>
        <source>the local library</source>
        <translation>la bibliothèque locale</translation>
    </message>
    <message>
        <source>{0} image(s) rejected ({1}); the rejection note is stored in {2}.</source>
        <translation>{0} image(s) rejetée(s) ({1}) ; la note de rejet est enregistrée dans {2}.</translation>
    </message>
    <message>
        <source>Sending the rejection note</source>
        <translation>Envoi de la note de rejet</translation>
    </message>
    <message>
        <source>There are no images left to correct in this study.</source>
        <translation>Il ne reste aucune image à corriger dans cet examen.</translation>
    </message>
    <message>
        <source>Reading the images</source>
        <translation>Lecture des images</translation>
    </message>
    <message>
        <source>Making corrected copies</source>
        <translation>Création des copies corrigées</translation>
    </message>
    <message>
        <source>Sending the corrected copies</source>
        <translation>Envoi des copies corrigées</translation>
    </message>
    <message>
        <source>The correction was stopped.</source>
        <translation>La correction a été interrompue.</translation>
    </message>
    <message>
        <source>Keeping the corrected copies in the library</source>
        <translation>Conservation des copies corrigées dans la bibliothèque</translation>
    </message>
    <message>
        <source>{0} corrected image(s) stored in {1} as a new study; the originals are rejected (Incorrect Modality Worklist Entry).</source>
        <translation>{0} image(s) corrigée(s) enregistrée(s) dans {1} comme nouvel examen ; les originaux sont rejetés (Incorrect Modality Worklist Entry).</translation>
    </message>
    <message>
        <source>Correcting demographics</source>
        <translation>Correction de l&apos;identité</translation>
    </message>
</context>
<context>
    <name>ReadingActions</name>
    <message>
        <source>&amp;Layout</source>
        <translation>&amp;Disposition</translation>
    </message>
    <message>
        <source>&amp;Maximise / restore viewport</source>
        <translation>&amp;Agrandir / restaurer la fenêtre</translation>
    </message>
    <message>
        <source>Window preset {0}</source>
        <translation>Préréglage de fenêtre {0}</translation>
    </message>
    <message>
        <source>Image&apos;s own &amp;window</source>
        <translation>Fenêtre propre de l&apos;&amp;image</translation>
    </message>
    <message>
        <source>Window &amp;presets</source>
        <translation>&amp;Préréglages de fenêtre</translation>
    </message>
    <message>
        <source>&amp;Fit to viewport</source>
        <translation>&amp;Ajuster à la fenêtre</translation>
    </message>
    <message>
        <source>&amp;1:1 pixels</source>
        <translation>Pixels &amp;1:1</translation>
    </message>
    <message>
        <source>&amp;Rotate 90° clockwise</source>
        <translation>&amp;Rotation de 90° dans le sens horaire</translation>
    </message>
    <message>
        <source>Rotate 90° counter-clockwise</source>
        <translation>Rotation de 90° dans le sens antihoraire</translation>
    </message>
    <message>
        <source>Flip &amp;horizontal</source>
        <translation>Miroir &amp;horizontal</translation>
    </message>
    <message>
        <source>Flip &amp;vertical</source>
        <translation>Miroir &amp;vertical</translation>
    </message>
    <message>
        <source>&amp;Invert</source>
        <translation>&amp;Inverser</translation>
    </message>
    <message>
        <source>Colour &amp;map (grey, hot iron, PET)</source>
        <translation>Palette de &amp;couleurs (gris, fer chaud, TEP)</translation>
    </message>
    <message>
        <source>Fusion opacity +10%</source>
        <translation>Opacité de la fusion +10 %</translation>
    </message>
    <message>
        <source>Fusion opacity -10%</source>
        <translation>Opacité de la fusion -10 %</translation>
    </message>
    <message>
        <source>Rese&amp;t view</source>
        <translation>Réiniti&amp;aliser la vue</translation>
    </message>
    <message>
        <source>&amp;Auto window</source>
        <translation>Fenêtrage &amp;automatique</translation>
    </message>
    <message>
        <source>&amp;Cine play/pause</source>
        <translation>&amp;Ciné lecture/pause</translation>
    </message>
    <message>
        <source>Cine faster</source>
        <translation>Ciné plus rapide</translation>
    </message>
    <message>
        <source>Cine slower</source>
        <translation>Ciné plus lent</translation>
    </message>
    <message>
        <source> fps</source>
        <translation> img/s</translation>
    </message>
    <message>
        <source>Cine frame rate (frames per second)</source>
        <translation>Cadence du ciné (images par seconde)</translation>
    </message>
    <message>
        <source>Reference &amp;lines</source>
        <translation>&amp;Lignes de référence</translation>
    </message>
    <message>
        <source>Lin&amp;ked scrolling</source>
        <translation>Défilement &amp;lié</translation>
    </message>
    <message>
        <source>Window {0}</source>
        <translation>Fenêtre {0}</translation>
    </message>
    <message>
        <source>the image&apos;s own first window (CT)</source>
        <translation>la première fenêtre propre de l&apos;image (TDM)</translation>
    </message>
    <message>
        <source>No presets for this viewport</source>
        <translation>Aucun préréglage pour cette fenêtre</translation>
    </message>
    <message>
        <source>Reading tools</source>
        <translation>Outils de lecture</translation>
    </message>
    <message>
        <source>Layout</source>
        <translation>Disposition</translation>
    </message>
    <message>
        <source>W/L presets</source>
        <translation>Préréglages F/N</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Ajuster</translation>
    </message>
    <message>
        <source>Rotate</source>
        <translation>Pivoter</translation>
    </message>
    <message>
        <source>Flip H</source>
        <translation>Miroir H</translation>
    </message>
    <message>
        <source>Flip V</source>
        <translation>Miroir V</translation>
    </message>
    <message>
        <source>Invert</source>
        <translation>Inverser</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Réinitialiser</translation>
    </message>
    <message>
        <source>Cine</source>
        <translation>Ciné</translation>
    </message>
    <message>
        <source>Ref. lines</source>
        <translation>Lignes réf.</translation>
    </message>
    <message>
        <source>Link scroll</source>
        <translation>Défil. lié</translation>
    </message>
</context>
<context>
    <name>RejectDialog</name>
    <message>
        <source>Reject images</source>
        <translation>Rejeter des images</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>Rejeter</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>Motif :</translation>
    </message>
</context>
<context>
    <name>ReportDock</name>
    <message>
        <source>Report</source>
        <translation>Compte rendu</translation>
    </message>
</context>
<context>
    <name>ReportEditor</name>
    <message>
        <source>Key file (PKCS#12)</source>
        <extracomment>A change is saved this long after the last keystroke (ms). And the draft is saved this often whatever happens (ms). Qt settings keys (the key file&apos;s path and the author&apos;s name; never a password).</extracomment>
        <translation>Fichier de clé (PKCS#12)</translation>
    </message>
    <message>
        <source>Smart card (PKCS#11)</source>
        <translation>Carte à puce (PKCS#11)</translation>
    </message>
    <message>
        <source>Open a study to write its report.</source>
        <extracomment>Before signing with untouched placeholders: LEAVE_OUT, KEEP, or None (go back). Before signing: shown the PDF as it will be signed, True to sign it.</extracomment>
        <translation>Ouvrez un examen pour rédiger son compte rendu.</translation>
    </message>
    <message>
        <source>Import...</source>
        <translation>Importer...</translation>
    </message>
    <message>
        <source>Import an IHE MRRT (HTML5) report template, such as one from RSNA&apos;s RadReport library, into your own templates</source>
        <translation>Importer un modèle de compte rendu IHE MRRT (HTML5), par exemple de la bibliothèque RadReport de la RSNA, dans vos propres modèles</translation>
    </message>
    <message>
        <source>Insert normal findings</source>
        <translation>Insérer l&apos;examen normal</translation>
    </message>
    <message>
        <source>Put the template&apos;s normal findings and impression into the report as your own text (check them before signing)</source>
        <translation>Placer les résultats et la conclusion normaux du modèle dans le compte rendu comme votre propre texte (vérifiez-les avant de signer)</translation>
    </message>
    <message>
        <source>Make preliminary</source>
        <translation>Rendre provisoire</translation>
    </message>
    <message>
        <source>Sign...</source>
        <translation>Signer...</translation>
    </message>
    <message>
        <source>Addendum...</source>
        <translation>Addendum...</translation>
    </message>
    <message>
        <source>Correction...</source>
        <translation>Correction...</translation>
    </message>
    <message>
        <source>Insert measurements and key images</source>
        <translation>Insérer les mesures et images clés</translation>
    </message>
    <message>
        <source>Put the study&apos;s measurements and key images from the viewer into the report; done automatically when signing if the report has none yet</source>
        <translation>Placer dans le compte rendu les mesures et images clés de l&apos;examen prises dans le visualiseur ; fait automatiquement à la signature si le compte rendu n&apos;en a pas encore</translation>
    </message>
    <message>
        <source>What the signing key is on: a PKCS#12 key file (password in the keyring) or a smart card (PIN asked at each signing)</source>
        <extracomment>Thumbnail pixels (uint8 RGB) of the report&apos;s key images, by SOP Instance UID.</extracomment>
        <translation>Support de la clé de signature : un fichier de clé PKCS#12 (mot de passe dans le trousseau) ou une carte à puce (code PIN demandé à chaque signature)</translation>
    </message>
    <message>
        <source>Card...</source>
        <translation>Carte...</translation>
    </message>
    <message>
        <source>Choose the PKCS#11 module and token</source>
        <translation>Choisir le module PKCS#11 et le jeton</translation>
    </message>
    <message>
        <source>Sign with</source>
        <translation>Signer avec</translation>
    </message>
    <message>
        <source>Template</source>
        <translation>Modèle</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Historique</translation>
    </message>
    <message>
        <source>Saved draft restored ({0}).</source>
        <translation>Brouillon enregistré restauré ({0}).</translation>
    </message>
    <message>
        <source>Comparison filled from {0} prior stud{1}.</source>
        <translation>Comparaison complétée à partir de {0} examen(s) antérieur(s).</translation>
    </message>
    <message>
        <source>&lt;b&gt;{0}&lt;/b&gt; · ID {1} · born {2} · {3}&lt;br&gt;{4} · {5} · {6} · accession {7}</source>
        <translation>&lt;b&gt;{0}&lt;/b&gt; · ID {1} · né(e) le {2} · {3}&lt;br&gt;{4} · {5} · {6} · n° d&apos;accession {7}</translation>
    </message>
    <message>
        <source>Study</source>
        <translation>Examen</translation>
    </message>
    <message>
        <source>Version {0}{1}: {2}</source>
        <translation>Version {0}{1} : {2}</translation>
    </message>
    <message>
        <source>, signed by {0}</source>
        <translation>, signé par {0}</translation>
    </message>
    <message>
        <source> by {0}</source>
        <translation> par {0}</translation>
    </message>
    <message>
        <source>editing…</source>
        <translation>modification…</translation>
    </message>
    <message>
        <source>The report draft could not be saved ({0}); check the disk.</source>
        <translation>Le brouillon du compte rendu n&apos;a pas pu être enregistré ({0}) ; vérifiez le disque.</translation>
    </message>
    <message>
        <source>draft saved {0}</source>
        <translation>brouillon enregistré à {0}</translation>
    </message>
    <message>
        <source>&apos;{0}&apos; chosen by hand.</source>
        <translation>« {0} » choisi manuellement.</translation>
    </message>
    <message>
        <source> {0} note(s): </source>
        <translation> {0} note(s) : </translation>
    </message>
    <message>
        <source>Imported &apos;{0}&apos; ({1} fields); choose it in the template list.{2}</source>
        <translation>« {0} » importé ({1} champs) ; choisissez-le dans la liste des modèles.{2}</translation>
    </message>
    <message>
        <source>IHE MRRT report template</source>
        <translation>Modèle de compte rendu IHE MRRT</translation>
    </message>
    <message>
        <source>MRRT templates (*.html *.htm);;All files (*)</source>
        <translation>Modèles MRRT (*.html *.htm);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>The template &apos;{0}&apos; has no normal findings to insert.</source>
        <translation>Le modèle « {0} » n&apos;a pas d&apos;examen normal à insérer.</translation>
    </message>
    <message>
        <source>Normal findings of &apos;{0}&apos; inserted as your text; check and edit them before signing.</source>
        <translation>Examen normal de « {0} » inséré comme votre texte ; vérifiez-le et modifiez-le avant de signer.</translation>
    </message>
    <message>
        <source>The report is preliminary: others may read it; it is still editable.</source>
        <translation>Le compte rendu est provisoire : d&apos;autres peuvent le lire ; il reste modifiable.</translation>
    </message>
    <message>
        <source>Version {0} ({1}) started; sign it when it is written.</source>
        <translation>Version {0} ({1}) commencée ; signez-la une fois rédigée.</translation>
    </message>
    <message>
        <source>Open the study in the viewer to insert its measurements and key images.</source>
        <translation>Ouvrez l&apos;examen dans le visualiseur pour insérer ses mesures et images clés.</translation>
    </message>
    <message>
        <source>The viewer has no measurements or key images for this study.</source>
        <translation>Le visualiseur n&apos;a ni mesures ni images clés pour cet examen.</translation>
    </message>
    <message>
        <source>Inserted automatically before signing</source>
        <translation>Insérées automatiquement avant la signature</translation>
    </message>
    <message>
        <source>Inserted</source>
        <translation>Insérées</translation>
    </message>
    <message>
        <source>{0}: {1} measurement{2} and {3} key image{4} from the viewer.</source>
        <translation>{0} : {1} mesure(s) et {3} image(s) clé(s) du visualiseur.</translation>
    </message>
    <message>
        <source>The PKCS#11 module {0} does not exist; check the smart card software.</source>
        <translation>Le module PKCS#11 {0} n&apos;existe pas ; vérifiez le logiciel de la carte à puce.</translation>
    </message>
    <message>
        <source>No token label is set for the smart card; enter it with Card....</source>
        <translation>Aucun libellé de jeton n&apos;est défini pour la carte à puce ; saisissez-le avec Carte....</translation>
    </message>
    <message>
        <source>Smart card signing needs the python-pkcs11 package; install it or sign with a key file.</source>
        <translation>La signature par carte à puce nécessite le paquet python-pkcs11 ; installez-le ou signez avec un fichier de clé.</translation>
    </message>
    <message>
        <source>PIN for the token &apos;{0}&apos;</source>
        <translation>Code PIN du jeton « {0} »</translation>
    </message>
    <message>
        <source>Password of the signing key {0}</source>
        <translation>Mot de passe de la clé de signature {0}</translation>
    </message>
    <message>
        <source>Not signed: edit or accept the template text first (</source>
        <translation>Non signé : modifiez ou acceptez d&apos;abord le texte du modèle (</translation>
    </message>
    <message>
        <source>Not signed: the report is still a draft.</source>
        <translation>Non signé : le compte rendu est encore un brouillon.</translation>
    </message>
    <message>
        <source>Only a user with a signing credential can make a report final; choose a PKCS#12 key file (or a smart card) to sign.</source>
        <translation>Seul un utilisateur disposant d&apos;un moyen de signature peut rendre un compte rendu définitif ; choisissez un fichier de clé PKCS#12 (ou une carte à puce) pour signer.</translation>
    </message>
    <message>
        <source>Signing…</source>
        <translation>Signature…</translation>
    </message>
    <message>
        <source>Signing key</source>
        <translation>Clé de signature</translation>
    </message>
    <message>
        <source> (kept in the system keyring):</source>
        <translation> (conservé dans le trousseau du système) :</translation>
    </message>
    <message>
        <source>Smart card</source>
        <translation>Carte à puce</translation>
    </message>
    <message>
        <source> (used for this signing only, never stored):</source>
        <translation> (utilisé pour cette signature seulement, jamais enregistré) :</translation>
    </message>
    <message>
        <source>New {0}</source>
        <translation>Nouveau : {0}</translation>
    </message>
    <message>
        <source>Why does the signed report need an {0}?</source>
        <translation>Pourquoi le compte rendu signé a-t-il besoin d&apos;un(e) {0} ?</translation>
    </message>
    <message>
        <source>Signing key (PKCS#12)</source>
        <translation>Clé de signature (PKCS#12)</translation>
    </message>
    <message>
        <source>PKCS#12 key (*.p12 *.pfx)</source>
        <translation>Clé PKCS#12 (*.p12 *.pfx)</translation>
    </message>
</context>
<context>
    <name>RulesTable</name>
    <message>
        <source>Attribute</source>
        <extracomment>Attributes a display-set selector&apos;s rule tests.</extracomment>
        <translation>Attribut</translation>
    </message>
    <message>
        <source>Constraint</source>
        <translation>Contrainte</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Valeur</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>Poids</translation>
    </message>
    <message>
        <source>Required</source>
        <translation>Obligatoire</translation>
    </message>
    <message>
        <source>Not</source>
        <translation>Non</translation>
    </message>
    <message>
        <source>Add rule</source>
        <translation>Ajouter une règle</translation>
    </message>
    <message>
        <source>Remove rule</source>
        <translation>Retirer la règle</translation>
    </message>
    <message>
        <source>CT, MR  ·  AX*BRAIN*  ·  0 .. 5  ·  true</source>
        <translation>CT, MR  ·  AX*BRAIN*  ·  0 .. 5  ·  true</translation>
    </message>
</context>
<context>
    <name>SectionEditor</name>
    <message>
        <source>Insert snippet</source>
        <translation>Insérer un texte type</translation>
    </message>
    <message>
        <source>Template text: edit it or accept it; until then it is left out of the signed report.</source>
        <translation>Texte du modèle : modifiez-le ou acceptez-le ; d&apos;ici là, il est exclu du compte rendu signé.</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>Accepter</translation>
    </message>
    <message>
        <source>Keep the template text of this section as your own</source>
        <translation>Garder le texte du modèle de cette section comme votre propre texte</translation>
    </message>
</context>
<context>
    <name>SegmentOverlays</name>
    <message>
        <source>Loading {0}...</source>
        <translation>Chargement de {0}...</translation>
    </message>
    <message>
        <source>Loading the segmentation...</source>
        <translation>Chargement de la segmentation...</translation>
    </message>
    <message>
        <source>{0} is drawn over the images it lies on.</source>
        <translation>{0} est superposé(e) aux images qu&apos;il ou elle recoupe.</translation>
    </message>
    <message>
        <source>{0} lies on none of the images shown; show its referenced series.</source>
        <translation>{0} ne recoupe aucune des images affichées ; affichez sa série de référence.</translation>
    </message>
</context>
<context>
    <name>SegmentsPanel</name>
    <message>
        <source>Segment</source>
        <translation>Segment</translation>
    </message>
    <message>
        <source>Volume (mL)</source>
        <translation>Volume (mL)</translation>
    </message>
    <message>
        <source>Mean</source>
        <translation>Moyenne</translation>
    </message>
    <message>
        <source>Max</source>
        <translation>Max</translation>
    </message>
    <message>
        <source>Segments</source>
        <translation>Segments</translation>
    </message>
    <message>
        <source>Mean ({0})</source>
        <translation>Moyenne ({0})</translation>
    </message>
    <message>
        <source>Max ({0})</source>
        <translation>Max ({0})</translation>
    </message>
    <message>
        <source>Mean and maximum over the images of the active viewport that the segments cross.</source>
        <translation>Moyenne et maximum sur les images de la fenêtre active que traversent les segments.</translation>
    </message>
</context>
<context>
    <name>SessionLock</name>
    <message>
        <source>Workstation (locked)</source>
        <translation>Station de travail (verrouillée)</translation>
    </message>
    <message>
        <source>Sign &amp;in...</source>
        <translation>Se &amp;connecter...</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>Se déconnec&amp;ter</translation>
    </message>
    <message>
        <source>&amp;Lock screen</source>
        <translation>&amp;Verrouiller l&apos;écran</translation>
    </message>
    <message>
        <source>on demand</source>
        <translation>à la demande</translation>
    </message>
    <message>
        <source>Signed in: {0}</source>
        <translation>Connecté : {0}</translation>
    </message>
    <message>
        <source>Not signed in</source>
        <translation>Non connecté</translation>
    </message>
    <message>
        <source>{0} at {1}</source>
        <translation>{0} auprès de {1}</translation>
    </message>
    <message>
        <source>idle for {0} min</source>
        <translation>inactivité de {0} min</translation>
    </message>
    <message>
        <source>Too many wrong passwords: wait {0:.0f} s and try again.</source>
        <translation>Trop de mots de passe erronés : attendez {0:.0f} s et réessayez.</translation>
    </message>
    <message>
        <source>{0} signed in, but this session is locked for {1}; only they can unlock it.</source>
        <translation>{0} s&apos;est connecté, mais cette session est verrouillée pour {1} ; seule cette personne peut la déverrouiller.</translation>
    </message>
    <message>
        <source>Sign in in the browser window that opened (or type the unlock password if you have one and are offline)...</source>
        <translation>Connectez-vous dans la fenêtre du navigateur qui s&apos;est ouverte (ou saisissez le mot de passe de déverrouillage si vous en avez un et êtes hors ligne)...</translation>
    </message>
    <message>
        <source>No sign-in profile is set up: give your identity provider once with &apos;workstation login --issuer URL --client-id ID&apos;.</source>
        <translation>Aucun profil de connexion n&apos;est configuré : indiquez une fois votre fournisseur d&apos;identité avec « workstation login --issuer URL --client-id ID ».</translation>
    </message>
    <message>
        <source>Signing in in the browser...</source>
        <translation>Connexion dans le navigateur...</translation>
    </message>
    <message>
        <source>Nobody is signed in.</source>
        <translation>Personne n&apos;est connecté.</translation>
    </message>
    <message>
        <source>The sign-in profile &apos;{0}&apos; is no longer in the settings; sign out with &apos;workstation logout&apos;.</source>
        <translation>Le profil de connexion « {0} » n&apos;est plus dans les paramètres ; déconnectez-vous avec « workstation logout ».</translation>
    </message>
    <message>
        <source>Signed out here, but the provider could not be told: the sign-in ends when it expires.</source>
        <translation>Déconnecté ici, mais le fournisseur n&apos;a pas pu en être informé : la connexion prendra fin à son expiration.</translation>
    </message>
</context>
<context>
    <name>SessionLockTab</name>
    <message>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <source>never (only Ctrl+Alt+L)</source>
        <translation>jamais (seulement Ctrl+Alt+L)</translation>
    </message>
    <message>
        <source>a password is set; type a new one to replace it</source>
        <translation>un mot de passe est défini ; saisissez-en un nouveau pour le remplacer</translation>
    </message>
    <message>
        <source>none set</source>
        <translation>aucun défini</translation>
    </message>
    <message>
        <source>the same again</source>
        <translation>le même une seconde fois</translation>
    </message>
    <message>
        <source>Lock after idle</source>
        <translation>Verrouiller après inactivité</translation>
    </message>
    <message>
        <source>Unlock password</source>
        <translation>Mot de passe de déverrouillage</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>Confirmation</translation>
    </message>
    <message>
        <source>For unlocking without the identity provider (offline); at least {0} characters. Kept only as a salted hash in the system keyring.</source>
        <translation>Pour déverrouiller sans le fournisseur d&apos;identité (hors ligne) ; au moins {0} caractères. Conservé uniquement sous forme d&apos;empreinte salée dans le trousseau du système.</translation>
    </message>
    <message>
        <source>The two unlock passwords differ; type the same one twice.</source>
        <translation>Les deux mots de passe de déverrouillage diffèrent ; saisissez deux fois le même.</translation>
    </message>
    <message>
        <source>The unlock password must have at least {0} characters.</source>
        <translation>Le mot de passe de déverrouillage doit comporter au moins {0} caractères.</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>No login</source>
        <translation>Sans authentification</translation>
    </message>
    <message>
        <source>User name and password</source>
        <translation>Nom d&apos;utilisateur et mot de passe</translation>
    </message>
    <message>
        <source>Access token (bearer)</source>
        <translation>Jeton d&apos;accès (bearer)</translation>
    </message>
    <message>
        <source>Single sign-on (workstation login)</source>
        <translation>Authentification unique (workstation login)</translation>
    </message>
    <message>
        <source>Settings</source>
        <extracomment>&quot;Remove all patient data from this machine&quot; was confirmed (the window owning the library closes it and calls ``workstation.forget.forget_all``).</extracomment>
        <translation>Paramètres</translation>
    </message>
    <message>
        <source>Add archive</source>
        <translation>Ajouter une archive</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Retirer</translation>
    </message>
    <message>
        <source>https://pacs.example.org/dicom-web</source>
        <translation>https://pacs.exemple.fr/dicom-web</translation>
    </message>
    <message>
        <source>leave empty to keep the saved one</source>
        <translation>laisser vide pour garder celui enregistré</translation>
    </message>
    <message>
        <source>system certificates</source>
        <translation>certificats du système</translation>
    </message>
    <message>
        <source>Browse...</source>
        <translation>Parcourir...</translation>
    </message>
    <message>
        <source>Verify the server&apos;s TLS certificate</source>
        <translation>Vérifier le certificat TLS du serveur</translation>
    </message>
    <message>
        <source>Allow the password over plain http:// (unencrypted: anyone on the network can read it)</source>
        <translation>Autoriser le mot de passe en http:// simple (non chiffré : tout le monde sur le réseau peut le lire)</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Tester la connexion</translation>
    </message>
    <message>
        <source>Default archive</source>
        <translation>Archive par défaut</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>DICOMweb URL</source>
        <translation>URL DICOMweb</translation>
    </message>
    <message>
        <source>Login</source>
        <translation>Authentification</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Nom d&apos;utilisateur</translation>
    </message>
    <message>
        <source>Password / token</source>
        <translation>Mot de passe / jeton</translation>
    </message>
    <message>
        <source>CA bundle</source>
        <translation>Certificats d&apos;autorité (CA)</translation>
    </message>
    <message>
        <source> GB (0: no limit)</source>
        <translation> Go (0 : pas de limite)</translation>
    </message>
    <message>
        <source> days not opened (0: keep)</source>
        <translation> jours sans ouverture (0 : conserver)</translation>
    </message>
    <message>
        <source>This disk is already encrypted (full-disk encryption): store patient data without the workstation&apos;s encryption</source>
        <translation>Ce disque est déjà chiffré (chiffrement intégral du disque) : enregistrer les données patient sans le chiffrement de la station de travail</translation>
    </message>
    <message>
        <source>Remove all patient data from this machine...</source>
        <translation>Supprimer toutes les données patient de cette machine...</translation>
    </message>
    <message>
        <source>Archives</source>
        <translation>Archives</translation>
    </message>
    <message>
        <source>Local library size limit</source>
        <translation>Taille maximale de la bibliothèque locale</translation>
    </message>
    <message>
        <source>Remove studies after</source>
        <translation>Supprimer les examens après</translation>
    </message>
    <message>
        <source>RIS</source>
        <translation>RIS</translation>
    </message>
    <message>
        <source>Letterhead</source>
        <translation>En-tête</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Apparence</translation>
    </message>
    <message>
        <source>Signing</source>
        <translation>Signature</translation>
    </message>
    <message>
        <source>Session lock</source>
        <translation>Verrouillage de session</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Thème</translation>
    </message>
    <message>
        <source>The dark theme keeps the frame around the images dark, as reading rooms are.</source>
        <translation>Le thème sombre garde sombre le cadre autour des images, comme dans les salles de lecture.</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Langue du système</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Langue</translation>
    </message>
    <message>
        <source>A new language applies when the workstation starts again.</source>
        <translation>Une nouvelle langue s&apos;applique au prochain démarrage de la station de travail.</translation>
    </message>
    <message>
        <source>https://ris.example.org/fhir/R4 (empty: no FHIR)</source>
        <translation>https://ris.exemple.fr/fhir/R4 (vide : pas de FHIR)</translation>
    </message>
    <message>
        <source>optional: HL7 v2 host for ORU^R01</source>
        <translation>facultatif : hôte HL7 v2 pour ORU^R01</translation>
    </message>
    <message>
        <source>none</source>
        <translation>aucun</translation>
    </message>
    <message>
        <source>FHIR R4 base URL</source>
        <translation>URL de base FHIR R4</translation>
    </message>
    <message>
        <source>HL7 v2 MLLP host</source>
        <translation>Hôte MLLP HL7 v2</translation>
    </message>
    <message>
        <source>HL7 v2 MLLP port</source>
        <translation>Port MLLP HL7 v2</translation>
    </message>
    <message>
        <source>The RIS has an HL7 v2 MLLP host but no port: enter the port (often 2575) or clear the host.</source>
        <translation>Le RIS a un hôte MLLP HL7 v2 mais pas de port : saisissez le port (souvent 2575) ou videz l&apos;hôte.</translation>
    </message>
    <message>
        <source>Enter the RIS&apos;s FHIR base URL to test the connection.</source>
        <translation>Saisissez l&apos;URL de base FHIR du RIS pour tester la connexion.</translation>
    </message>
    <message>
        <source>Testing...</source>
        <translation>Test en cours...</translation>
    </message>
    <message>
        <source>one line per address line</source>
        <translation>une ligne par ligne d&apos;adresse</translation>
    </message>
    <message>
        <source>Practice name</source>
        <translation>Nom du cabinet</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Téléphone</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>Courriel</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>Service</translation>
    </message>
    <message>
        <source>Add CA certificate...</source>
        <translation>Ajouter un certificat d&apos;autorité...</translation>
    </message>
    <message>
        <source>A signed report is checked right after signing: the signer&apos;s certificate must be issued by one of these authorities (certificate files, PEM or DER). With none, only the certificates that came with the key file or smart card are used.</source>
        <translation>Un compte rendu signé est vérifié juste après la signature : le certificat du signataire doit être émis par l&apos;une de ces autorités (fichiers de certificats, PEM ou DER). Sans autorité, seuls les certificats fournis avec le fichier de clé ou la carte à puce sont utilisés.</translation>
    </message>
    <message>
        <source>https://tsa.example.org/tsp (RFC 3161)</source>
        <translation>https://tsa.exemple.fr/tsp (RFC 3161)</translation>
    </message>
    <message>
        <source>when the certificate has none</source>
        <translation>quand le certificat n&apos;en contient pas</translation>
    </message>
    <message>
        <source>RPPS number</source>
        <translation>Numéro RPPS</translation>
    </message>
    <message>
        <source>Time-stamping authority</source>
        <translation>Autorité d&apos;horodatage</translation>
    </message>
    <message>
        <source>Family name</source>
        <translation>Nom de famille</translation>
    </message>
    <message>
        <source>Given name</source>
        <translation>Prénom</translation>
    </message>
    <message>
        <source>Trusted certificate authorities</source>
        <translation>Autorités de certification de confiance</translation>
    </message>
    <message>
        <source>cannot be read</source>
        <translation>illisible</translation>
    </message>
    <message>
        <source>Trusted CA certificate</source>
        <translation>Certificat d&apos;autorité de confiance</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt *.cer *.der);;All files (*)</source>
        <translation>Certificats (*.pem *.crt *.cer *.der);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>{0} is already trusted.</source>
        <translation>{0} est déjà approuvé.</translation>
    </message>
    <message>
        <source>{0} holds a signer&apos;s certificate, not an authority&apos;s; add the certificate of the CA that issued it.</source>
        <translation>{0} contient le certificat d&apos;un signataire, pas celui d&apos;une autorité ; ajoutez le certificat de l&apos;autorité qui l&apos;a émis.</translation>
    </message>
    <message>
        <source>Archive</source>
        <translation>Archive</translation>
    </message>
    <message>
        <source>Archive {0}</source>
        <translation>Archive {0}</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt);;All files (*)</source>
        <translation>Certificats PEM (*.pem *.crt);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>Every archive needs a name of its own; rename the empty or repeated one.</source>
        <translation>Chaque archive doit avoir son propre nom ; renommez celle sans nom ou en double.</translation>
    </message>
    <message>
        <source>Remove all patient data</source>
        <translation>Supprimer toutes les données patient</translation>
    </message>
    <message>
        <source>Remove every study, report, draft and pending measurement from this machine and delete the key that encrypts them? Reports not yet delivered are lost. The workstation closes afterwards.</source>
        <translation>Supprimer de cette machine tous les examens, comptes rendus, brouillons et mesures en attente, ainsi que la clé qui les chiffre ? Les comptes rendus pas encore livrés seront perdus. La station de travail se fermera ensuite.</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Raccourcis clavier</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Touches</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>Keys act on the active viewport of the study in front.</source>
        <translation>Les touches agissent sur la fenêtre active de l&apos;examen au premier plan.</translation>
    </message>
</context>
<context>
    <name>SignPreviewDialog</name>
    <message>
        <source>Check the report before signing</source>
        <translation>Vérifier le compte rendu avant de signer</translation>
    </message>
    <message>
        <source>This is the report as it will be signed (the DRAFT mark is replaced by your signature). Sign it only if it says what you mean.</source>
        <translation>Voici le compte rendu tel qu&apos;il sera signé (la mention BROUILLON est remplacée par votre signature). Ne le signez que s&apos;il dit ce que vous voulez dire.</translation>
    </message>
    <message>
        <source>report preview</source>
        <translation>aperçu du compte rendu</translation>
    </message>
    <message>
        <source>Sign</source>
        <translation>Signer</translation>
    </message>
    <message>
        <source>Go back</source>
        <translation>Revenir</translation>
    </message>
</context>
<context>
    <name>SliceScrollBar</name>
    <message>
        <source>Images of this series: loaded ones marked; click or drag to jump</source>
        <extracomment>Frame colours: the active viewport is marked (as in the grid of every reading workstation). Images per Page Up / Page Down. Zoom factor per wheel notch with Ctrl. Screen pixels of left-drag per image when scrolling by dragging (at least). Width of the slice scroll bar beside each viewport, in pixels. A QC error at a place in the stack (slices missing there): a red bar across the strip.</extracomment>
        <translation>Images de cette série : celles chargées sont marquées ; cliquez ou faites glisser pour y aller</translation>
    </message>
</context>
<context>
    <name>StudyQC</name>
    <message>
        <source>{0} error(s), {1} warning(s), {2} note(s)</source>
        <translation>{0} erreur(s), {1} avertissement(s), {2} note(s)</translation>
    </message>
    <message>
        <source>{0} series, {1} images checked</source>
        <translation>{0} série(s), {1} images contrôlées</translation>
    </message>
    <message>
        <source>pixel data not checked</source>
        <translation>pixels non contrôlés</translation>
    </message>
    <message>
        <source>every image of the study is rejected: nothing left to check</source>
        <translation>toutes les images de l&apos;examen sont rejetées : plus rien à contrôler</translation>
    </message>
    <message>
        <source>{0} rejected image(s) not checked</source>
        <translation>{0} image(s) rejetée(s) non contrôlée(s)</translation>
    </message>
    <message>
        <source>QC {0}: </source>
        <translation>CQ {0} : </translation>
    </message>
</context>
<context>
    <name>StudyView</name>
    <message>
        <source>Drag a series here from the list on the left.</source>
        <extracomment>How often (at most) the loading progress and thumbnails are brought up to date, in ms. How long a viewport that is not the active one waits after a change in it (a linked scroll, a reference line, an arriving slice) before it draws, in ms (its ``follower_delay_ms``); changes coming meanwhile join that frame, so it draws at most this often: a linked prior keeps up within a frame or two of fast scrolling (it waited for the scrolling to stop before: about a second behind). Defined here, not imported from ui.viewport, so that VTK is not imported at start-up. Arriving images are handed to the viewports for at most this long per event-loop turn (the rest wait for the next turn, the image on screen first), in seconds: a burst of arrivals never holds up a frame of the reader&apos;s scrolling. Thumbnails (tens of ms each on the UI thread) wait until the reader has not scrolled for this long, in seconds. The load ended: all its images arrived (or failed), or it was cancelled. Once: every viewport of the current study shows its first image (or has said why not); work that can wait (the prior search, priors&apos; loads) starts then.</extracomment>
        <translation>Faites glisser ici une série depuis la liste de gauche.</translation>
    </message>
    <message>
        <source>Other study</source>
        <translation>Autre examen</translation>
    </message>
    <message>
        <source>The active viewport shows no fusion.</source>
        <translation>La fenêtre active n&apos;affiche aucune fusion.</translation>
    </message>
    <message>
        <source>Fusion opacity {0:.0f}%</source>
        <translation>Opacité de la fusion {0:.0f} %</translation>
    </message>
    <message>
        <source>This presentation state refers to no image of this study, so there is nothing to apply it to.</source>
        <translation>Cet état de présentation ne se rapporte à aucune image de cet examen : il n&apos;y a rien à quoi l&apos;appliquer.</translation>
    </message>
    <message>
        <source>Presentation state &apos;{0}&apos; applied</source>
        <translation>État de présentation « {0} » appliqué</translation>
    </message>
    <message>
        <source>The displayed area asks for magnification without a valid ratio, so it is scaled to fit.</source>
        <translation>La zone affichée demande un agrandissement sans rapport valide : elle est ajustée à la fenêtre.</translation>
    </message>
    <message>
        <source>The displayed area asks for true size, but this display&apos;s physical pixel size is not known, so it is scaled to fit instead.</source>
        <translation>La zone affichée demande la taille réelle, mais la taille physique des pixels de cet écran est inconnue : elle est ajustée à la fenêtre.</translation>
    </message>
    <message>
        <source>The displayed area has no width or height, so the whole image is shown.</source>
        <translation>La zone affichée n&apos;a ni largeur ni hauteur : l&apos;image entière est affichée.</translation>
    </message>
    <message>
        <source>Note: {0}</source>
        <translation>Note : {0}</translation>
    </message>
    <message>
        <source>{0} graphic annotation{1} drawn on the image</source>
        <translation>{0} annotation(s) graphique(s) tracée(s) sur l&apos;image</translation>
    </message>
    <message>
        <source>could not keep a document in the library: %s</source>
        <translation>impossible de garder un document dans la bibliothèque : %s</translation>
    </message>
    <message>
        <source>Instance {0} is neither in the library nor in the archive.</source>
        <translation>L&apos;instance {0} n&apos;est ni dans la bibliothèque ni dans l&apos;archive.</translation>
    </message>
</context>
<context>
    <name>TagBrowser</name>
    <message>
        <source>Search keyword, tag (0010,0010) or value</source>
        <translation>Rechercher un mot-clé, une balise (0010,0010) ou une valeur</translation>
    </message>
    <message>
        <source>Expand all</source>
        <translation>Tout déplier</translation>
    </message>
    <message>
        <source>Collapse all</source>
        <translation>Tout replier</translation>
    </message>
    <message>
        <source>Copy value</source>
        <translation>Copier la valeur</translation>
    </message>
    <message>
        <source>1 match</source>
        <translation>1 résultat</translation>
    </message>
    <message>
        <source>{0} matches</source>
        <translation>{0} résultats</translation>
    </message>
</context>
<context>
    <name>Task</name>
    <message>
        <source>Unexpected error ({0}); see the log.</source>
        <translation>Erreur inattendue ({0}) ; voir le journal.</translation>
    </message>
</context>
<context>
    <name>TokenDialog</name>
    <message>
        <source>Smart card (PKCS#11)</source>
        <translation>Carte à puce (PKCS#11)</translation>
    </message>
    <message>
        <source>/usr/lib/.../opensc-pkcs11.so</source>
        <translation>/usr/lib/.../opensc-pkcs11.so</translation>
    </message>
    <message>
        <source>Browse...</source>
        <translation>Parcourir...</translation>
    </message>
    <message>
        <source>the token&apos;s label</source>
        <translation>le libellé du jeton</translation>
    </message>
    <message>
        <source>optional: the key&apos;s label</source>
        <translation>facultatif : le libellé de la clé</translation>
    </message>
    <message>
        <source>PKCS#11 module</source>
        <translation>Module PKCS#11</translation>
    </message>
    <message>
        <source>Token label</source>
        <translation>Libellé du jeton</translation>
    </message>
    <message>
        <source>Key label</source>
        <translation>Libellé de la clé</translation>
    </message>
    <message>
        <source>Shared libraries (*.so *.dylib *.dll)</source>
        <translation>Bibliothèques partagées (*.so *.dylib *.dll)</translation>
    </message>
</context>
<context>
    <name>ViewportWidget</name>
    <message>
        <source>No images</source>
        <extracomment>A measurement tool (workstation.ui.measure_tools): while set, left-button presses, drags and releases, and the keys it claims, go to it instead of scrolling. Images that could not be loaded (marked red on the scroll bar). QC errors between images: (index of the image before the gap, the finding&apos;s sentence), marked on the scroll bar (set_gaps). Linked viewports of a grid draw after the reader pauses: while the active viewport is scrolled, a viewport that is not active waits until no change has come for this many ms before drawing (0: draw in the next event-loop turn, as the active one does). On a software OpenGL every frame of every viewport costs the UI thread tens of ms, so only the viewport the reader works in draws at screen rate.</extracomment>
        <translation>Aucune image</translation>
    </message>
    <message>
        <source>Images of this series: loaded ones marked; click or drag to jump</source>
        <translation>Images de cette série : celles chargées sont marquées ; cliquez ou faites glisser pour y aller</translation>
    </message>
    <message>
        <source>Red mark: {0}</source>
        <translation>Repère rouge : {0}</translation>
    </message>
</context>
<context>
    <name>VolumeLoadingView</name>
    <message>
        <source>Loading the volume...</source>
        <extracomment>What loads a volume in a worker thread: (volume [k, j, i], geometry, a header, a note). Shows a loaded volume. Draws the view now. Frees the volume and the pipeline (a closed tab); cancels a running load. A key of the view (key, modifiers); True when it was one. Enables or disables the tool row&apos;s controls.</extracomment>
        <translation>Chargement du volume...</translation>
    </message>
</context>
<context>
    <name>VolumeView</name>
    <message>
        <source>3D preset (keys 1-6); right-drag shifts and widens its opacity curve</source>
        <extracomment>Degrees of rotation per screen pixel of left-drag. Zoom factor per wheel notch. The clipping box&apos;s faces: (label, ClipBox field) per patient axis, low then high. Set by the main window: the study view, &quot;mpr&quot;/&quot;3d&quot; and the display set shown.</extracomment>
        <translation>Préréglage 3D (touches 1-6) ; le glisser avec le bouton droit décale et élargit sa courbe d&apos;opacité</translation>
    </message>
    <message>
        <source>Shading</source>
        <translation>Ombrage</translation>
    </message>
    <message>
        <source>Clipping box</source>
        <translation>Boîte de découpe</translation>
    </message>
    <message>
        <source>Reset (R)</source>
        <translation>Réinitialiser (R)</translation>
    </message>
    <message>
        <source>Save view as image...</source>
        <translation>Enregistrer la vue comme image...</translation>
    </message>
    <message>
        <source> mm</source>
        <translation> mm</translation>
    </message>
    <message>
        <source>Clipping box face {0} (patient LPS mm)</source>
        <translation>Face {0} de la boîte de découpe (mm LPS patient)</translation>
    </message>
    <message>
        <source>Preset</source>
        <translation>Préréglage</translation>
    </message>
    <message>
        <source>The 3D volume is not loaded yet; wait for it to load before saving the view.</source>
        <translation>Le volume 3D n&apos;est pas encore chargé ; attendez son chargement avant d&apos;enregistrer la vue.</translation>
    </message>
    <message>
        <source>Could not write the image {0}: {1}; choose another folder.</source>
        <translation>Impossible d&apos;écrire l&apos;image {0} : {1} ; choisissez un autre dossier.</translation>
    </message>
    <message>
        <source>Save view as image</source>
        <translation>Enregistrer la vue comme image</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>Image PNG (*.png)</translation>
    </message>
    <message>
        <source>Saved {0}</source>
        <translation>Enregistré : {0}</translation>
    </message>
    <message>
        <source>The 3D volume is not loaded yet; wait for it to load.</source>
        <translation>Le volume 3D n&apos;est pas encore chargé ; attendez son chargement.</translation>
    </message>
</context>
<context>
    <name>WorklistWidget</name>
    <message>
        <source>Where to search</source>
        <translation>Où chercher</translation>
    </message>
    <message>
        <source>Patient name (* ? wildcards)</source>
        <translation>Nom du patient (jokers * ?)</translation>
    </message>
    <message>
        <source>Patient ID</source>
        <translation>ID patient</translation>
    </message>
    <message>
        <source>Accession</source>
        <translation>N° d&apos;accession</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Patient</translation>
    </message>
    <message>
        <source>Birth date</source>
        <translation>Date de naissance</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Sexe</translation>
    </message>
    <message>
        <source>Study date</source>
        <translation>Date de l&apos;examen</translation>
    </message>
    <message>
        <source>Modality</source>
        <translation>Modalité</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Images</translation>
    </message>
    <message>
        <source>Origin</source>
        <translation>Origine</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>Compte rendu</translation>
    </message>
    <message>
        <source>QC</source>
        <translation>CQ</translation>
    </message>
    <message>
        <source>QC errors</source>
        <extracomment>QC states as the worklist shows them: (text, colour); nothing for a study never checked.</extracomment>
        <translation>Erreurs CQ</translation>
    </message>
    <message>
        <source>QC warnings</source>
        <translation>Avertissements CQ</translation>
    </message>
    <message>
        <source>QC passed</source>
        <translation>CQ réussi</translation>
    </message>
    <message>
        <source>No RIS is configured: add its FHIR URL in the settings to see report status here.</source>
        <translation>Aucun RIS n&apos;est configuré : ajoutez son URL FHIR dans les paramètres pour voir ici l&apos;état des comptes rendus.</translation>
    </message>
    <message>
        <source>This study has no accession number, so its report cannot be looked up.</source>
        <translation>Cet examen n&apos;a pas de numéro d&apos;accession : son compte rendu ne peut pas être recherché.</translation>
    </message>
    <message>
        <source>No report</source>
        <translation>Pas de compte rendu</translation>
    </message>
    <message>
        <source>Preliminary</source>
        <translation>Provisoire</translation>
    </message>
    <message>
        <source>Final</source>
        <translation>Définitif</translation>
    </message>
    <message>
        <source>Amended</source>
        <translation>Modifié</translation>
    </message>
    <message>
        <source>Corrected</source>
        <translation>Corrigé</translation>
    </message>
    <message>
        <source>Addendum</source>
        <translation>Addendum</translation>
    </message>
    <message>
        <source>Ordered</source>
        <translation>Demandé</translation>
    </message>
    <message>
        <source>Partial</source>
        <translation>Partiel</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Annulé</translation>
    </message>
    <message>
        <source>Entered in error</source>
        <translation>Saisi par erreur</translation>
    </message>
    <message>
        <source>Any date</source>
        <translation>Toutes dates</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Aujourd&apos;hui</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Hier</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>7 derniers jours</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>30 derniers jours</translation>
    </message>
    <message>
        <source>Range...</source>
        <translation>Période...</translation>
    </message>
    <message>
        <source>Any</source>
        <translation>Toutes</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Rechercher</translation>
    </message>
    <message>
        <source>The local library is empty. Configure an archive in the settings, import files, or add the demo study to start.</source>
        <translation>La bibliothèque locale est vide. Configurez une archive dans les paramètres, importez des fichiers ou ajoutez l&apos;examen de démonstration pour commencer.</translation>
    </message>
    <message>
        <source>Add demo study</source>
        <translation>Ajouter l&apos;examen de démonstration</translation>
    </message>
    <message>
        <source>Searching {0}...</source>
        <translation>Recherche dans {0}...</translation>
    </message>
    <message>
        <source>1 study found.</source>
        <translation>1 examen trouvé.</translation>
    </message>
    <message>
        <source>{0} studies found.</source>
        <translation>{0} examens trouvés.</translation>
    </message>
    <message>
        <source> despite errors</source>
        <translation> malgré les erreurs</translation>
    </message>
    <message>
        <source>QC: {0} error(s), {1} warning(s); F3 shows them</source>
        <translation>CQ : {0} erreur(s), {1} avertissement(s) ; F3 les affiche</translation>
    </message>
    <message>
        <source>Report status held by the RIS &apos;{0}&apos;</source>
        <translation>État du compte rendu tenu par le RIS « {0} »</translation>
    </message>
    <message>
        <source>Asking the RIS...</source>
        <translation>Interrogation du RIS...</translation>
    </message>
    <message>
        <source>Report status in the RIS: {0}</source>
        <translation>État du compte rendu dans le RIS : {0}</translation>
    </message>
    <message>
        <source>The RIS could not be asked for the report status.</source>
        <translation>Le RIS n&apos;a pas pu être interrogé sur l&apos;état du compte rendu.</translation>
    </message>
    <message>
        <source>{0} Report status unknown: {1}.</source>
        <translation>{0} État du compte rendu inconnu : {1}.</translation>
    </message>
</context>
<context>
    <name>actions</name>
    <message>
        <source>Window preset: {0}</source>
        <translation>Préréglage de fenêtre : {0}</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <source>Workstation</source>
        <translation>Station de travail</translation>
    </message>
    <message>
        <source>Rebuilding the library index from its files...</source>
        <translation>Reconstruction de l&apos;index de la bibliothèque à partir de ses fichiers...</translation>
    </message>
    <message>
        <source>Encrypting patient data on this machine...</source>
        <translation>Chiffrement des données patient sur cette machine...</translation>
    </message>
</context>
<context>
    <name>core</name>
    <message>
        <source>Length</source>
        <extracomment>Measurement tools (workstation.annotate.measurements.Kind.display_name).</extracomment>
        <translation>Longueur</translation>
    </message>
    <message>
        <source>Angle</source>
        <translation>Angle</translation>
    </message>
    <message>
        <source>Cobb angle</source>
        <translation>Angle de Cobb</translation>
    </message>
    <message>
        <source>Bidirectional</source>
        <translation>Bidimensionnelle</translation>
    </message>
    <message>
        <source>Ellipse ROI</source>
        <translation>ROI ellipse</translation>
    </message>
    <message>
        <source>Rectangle ROI</source>
        <translation>ROI rectangle</translation>
    </message>
    <message>
        <source>Freehand ROI</source>
        <translation>ROI main levée</translation>
    </message>
    <message>
        <source>Probe</source>
        <translation>Sonde</translation>
    </message>
    <message>
        <source>Arrow</source>
        <translation>Flèche</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Texte</translation>
    </message>
    <message>
        <source>Brain</source>
        <extracomment>CT window presets (workstation.model.presets).</extracomment>
        <translation>Cerveau</translation>
    </message>
    <message>
        <source>Subdural</source>
        <translation>Sous-dural</translation>
    </message>
    <message>
        <source>Stroke</source>
        <translation>AVC</translation>
    </message>
    <message>
        <source>Lung</source>
        <translation>Poumon</translation>
    </message>
    <message>
        <source>Mediastinum</source>
        <translation>Médiastin</translation>
    </message>
    <message>
        <source>Abdomen</source>
        <translation>Abdomen</translation>
    </message>
    <message>
        <source>Liver</source>
        <translation>Foie</translation>
    </message>
    <message>
        <source>Bone</source>
        <translation>Os</translation>
    </message>
    <message>
        <source>Any study</source>
        <extracomment>Shipped hanging protocols and their stages (resources/hanging/*.json).</extracomment>
        <translation>Tout examen</translation>
    </message>
    <message>
        <source>CT abdomen and pelvis</source>
        <translation>TDM abdomino-pelvienne</translation>
    </message>
    <message>
        <source>CT chest</source>
        <translation>TDM thoracique</translation>
    </message>
    <message>
        <source>CT head</source>
        <translation>TDM cérébrale</translation>
    </message>
    <message>
        <source>Chest radiograph</source>
        <translation>Radiographie thoracique</translation>
    </message>
    <message>
        <source>MR brain</source>
        <translation>IRM cérébrale</translation>
    </message>
    <message>
        <source>MR spine</source>
        <translation>IRM rachidienne</translation>
    </message>
    <message>
        <source>Mammography screening</source>
        <translation>Mammographie de dépistage</translation>
    </message>
    <message>
        <source>Ultrasound cine</source>
        <translation>Échographie ciné</translation>
    </message>
    <message>
        <source>3D MPR</source>
        <translation>MPR 3D</translation>
    </message>
    <message>
        <source>All views: current above prior</source>
        <translation>Toutes les incidences : actuel au-dessus de l&apos;antérieur</translation>
    </message>
    <message>
        <source>Axial and coronal</source>
        <translation>Axial et coronal</translation>
    </message>
    <message>
        <source>Axial and sagittal T2</source>
        <translation>Axial et sagittal T2</translation>
    </message>
    <message>
        <source>Axial with prior</source>
        <translation>Axial avec antérieur</translation>
    </message>
    <message>
        <source>Brain and bone</source>
        <translation>Cerveau et os</translation>
    </message>
    <message>
        <source>Brain and bone, with prior</source>
        <translation>Cerveau et os, avec antérieur</translation>
    </message>
    <message>
        <source>CC: current above prior</source>
        <translation>CC : actuel au-dessus de l&apos;antérieur</translation>
    </message>
    <message>
        <source>Comparison with prior</source>
        <translation>Comparaison avec l&apos;antérieur</translation>
    </message>
    <message>
        <source>Coronal series and liver window</source>
        <translation>Série coronale et fenêtre hépatique</translation>
    </message>
    <message>
        <source>Current 4 views</source>
        <translation>4 incidences actuelles</translation>
    </message>
    <message>
        <source>Four clips</source>
        <translation>Quatre clips</translation>
    </message>
    <message>
        <source>Four series</source>
        <translation>Quatre séries</translation>
    </message>
    <message>
        <source>Lung and mediastinum, with prior</source>
        <translation>Poumon et médiastin, avec antérieur</translation>
    </message>
    <message>
        <source>Lung with prior</source>
        <translation>Poumon avec antérieur</translation>
    </message>
    <message>
        <source>Lung, mediastinum, coronal</source>
        <translation>Poumon, médiastin, coronal</translation>
    </message>
    <message>
        <source>MLO: current above prior</source>
        <translation>MLO : actuel au-dessus de l&apos;antérieur</translation>
    </message>
    <message>
        <source>MPR</source>
        <translation>MPR</translation>
    </message>
    <message>
        <source>One clip</source>
        <translation>Un clip</translation>
    </message>
    <message>
        <source>One series</source>
        <translation>Une série</translation>
    </message>
    <message>
        <source>PA and lateral</source>
        <translation>Face et profil</translation>
    </message>
    <message>
        <source>PA with prior</source>
        <translation>Face avec antérieur</translation>
    </message>
    <message>
        <source>PA, lateral and prior</source>
        <translation>Face, profil et antérieur</translation>
    </message>
    <message>
        <source>Pre and post contrast</source>
        <translation>Avant et après injection</translation>
    </message>
    <message>
        <source>Sagittal T1, T2, STIR</source>
        <translation>Sagittal T1, T2, STIR</translation>
    </message>
    <message>
        <source>Sagittal T2 with prior</source>
        <translation>Sagittal T2 avec antérieur</translation>
    </message>
    <message>
        <source>T1, T2, FLAIR, diffusion</source>
        <translation>T1, T2, FLAIR, diffusion</translation>
    </message>
    <message>
        <source>Two series</source>
        <translation>Deux séries</translation>
    </message>
    <message>
        <source>DRAFT</source>
        <extracomment>Report statuses (workstation.report.model.Status, upper case as the editor shows them).</extracomment>
        <translation>BROUILLON</translation>
    </message>
    <message>
        <source>PRELIMINARY</source>
        <translation>PROVISOIRE</translation>
    </message>
    <message>
        <source>FINAL</source>
        <translation>DÉFINITIF</translation>
    </message>
    <message>
        <source>created</source>
        <translation>créé</translation>
    </message>
    <message>
        <source>addendum started</source>
        <translation>addendum commencé</translation>
    </message>
    <message>
        <source>correction started</source>
        <translation>correction commencée</translation>
    </message>
    <message>
        <source>signed</source>
        <translation>signé</translation>
    </message>
    <message>
        <source>made preliminary</source>
        <translation>rendu provisoire</translation>
    </message>
    <message>
        <source>{0} (W {1:g} / L {2:g})</source>
        <extracomment>The template of :func:`preset_label`, marked for lupdate.</extracomment>
        <translation>{0} (F {1:g} / N {2:g})</translation>
    </message>
    <message>
        <source>not checked</source>
        <extracomment>QC states and severities (workstation.qc.status.StudyQCState.label, workstation.qc.findings.Severity).</extracomment>
        <translation>non contrôlé</translation>
    </message>
    <message>
        <source>warnings</source>
        <translation>avertissements</translation>
    </message>
    <message>
        <source>errors</source>
        <translation>erreurs</translation>
    </message>
    <message>
        <source>passed</source>
        <translation>validé</translation>
    </message>
    <message>
        <source>error</source>
        <translation>erreur</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>avertissement</translation>
    </message>
    <message>
        <source>info</source>
        <translation>information</translation>
    </message>
    <message>
        <source>A bidirectional measurement needs a contour of at least three points.</source>
        <translation>Une mesure bidimensionnelle nécessite un contour d&apos;au moins trois points.</translation>
    </message>
    <message>
        <source>A clipping box needs finite coordinates in millimetres.</source>
        <translation>Une boîte de découpe nécessite des coordonnées finies en millimètres.</translation>
    </message>
    <message>
        <source>A clipping box&apos;s minimum must not exceed its maximum on any axis.</source>
        <translation>Le minimum d&apos;une boîte de découpe ne doit dépasser son maximum sur aucun axe.</translation>
    </message>
    <message>
        <source>A curved reformat needs a path of at least two points.</source>
        <translation>Une reconstruction curviligne nécessite un tracé d&apos;au moins deux points.</translation>
    </message>
    <message>
        <source>A curved reformat needs a positive width and spacing in mm.</source>
        <translation>Une reconstruction curviligne nécessite une largeur et un pas positifs en mm.</translation>
    </message>
    <message>
        <source>A direction of length zero has no patient orientation; check Image Orientation (Patient).</source>
        <translation>Une direction de longueur nulle n&apos;a pas d&apos;orientation patient ; vérifiez Image Orientation (Patient).</translation>
    </message>
    <message>
        <source>A display set without placed images has no geometry to link or point into.</source>
        <translation>Un ensemble d&apos;affichage sans images positionnées n&apos;a pas de géométrie à lier ou à pointer.</translation>
    </message>
    <message>
        <source>A final report needs the name of the person who signs it.</source>
        <translation>Un compte rendu définitif nécessite le nom de la personne qui le signe.</translation>
    </message>
    <message>
        <source>A measurement point must be a finite patient position; click on the image again.</source>
        <translation>Un point de mesure doit être une position patient finie ; cliquez à nouveau sur l&apos;image.</translation>
    </message>
    <message>
        <source>A plane direction of length zero cannot orient a reformat.</source>
        <translation>Une direction de plan de longueur nulle ne peut pas orienter une reconstruction.</translation>
    </message>
    <message>
        <source>A preliminary report needs findings or an impression; write one first.</source>
        <translation>Un compte rendu provisoire nécessite des résultats ou une conclusion ; rédigez-en d&apos;abord.</translation>
    </message>
    <message>
        <source>A presentation state needs at least one image; open an image first.</source>
        <translation>Un état de présentation nécessite au moins une image ; ouvrez d&apos;abord une image.</translation>
    </message>
    <message>
        <source>A probe needs the volume it is placed on.</source>
        <translation>Une sonde nécessite le volume sur lequel elle est placée.</translation>
    </message>
    <message>
        <source>A report UID must be digits and dots (PS3.5 9.1); this one cannot name a draft file.</source>
        <translation>Un UID de compte rendu ne contient que des chiffres et des points (PS3.5 9.1) ; celui-ci ne peut pas nommer un brouillon.</translation>
    </message>
    <message>
        <source>A trusted CA certificate given is neither PEM nor DER.</source>
        <translation>Un certificat d&apos;autorité fourni n&apos;est ni PEM ni DER.</translation>
    </message>
    <message>
        <source>An angle needs two arms of non-zero length; draw the angle again.</source>
        <translation>Un angle nécessite deux branches de longueur non nulle ; tracez l&apos;angle à nouveau.</translation>
    </message>
    <message>
        <source>An angle needs two lines of non-zero length; draw the lines again.</source>
        <translation>Un angle nécessite deux lignes de longueur non nulle ; tracez les lignes à nouveau.</translation>
    </message>
    <message>
        <source>An evidence image belongs to another study than the report; give only the study&apos;s images.</source>
        <translation>Une image de référence appartient à un autre examen que le compte rendu ; ne donnez que les images de l&apos;examen.</translation>
    </message>
    <message>
        <source>An image of the study names another patient ID than the report header; check the study&apos;s identity before signing.</source>
        <translation>Une image de l&apos;examen porte un autre ID patient que l&apos;en-tête du compte rendu ; vérifiez l&apos;identité de l&apos;examen avant de signer.</translation>
    </message>
    <message>
        <source>Another workstation process is delivering reports from this outbox right now; try again in a moment.</source>
        <translation>Un autre processus de la station envoie en ce moment les comptes rendus de cette boîte d&apos;envoi ; réessayez dans un instant.</translation>
    </message>
    <message>
        <source>Image Orientation (Patient) has a direction of length zero; the image cannot be placed in patient space.</source>
        <translation>Image Orientation (Patient) a une direction de longueur nulle ; l&apos;image ne peut pas être placée dans le repère patient.</translation>
    </message>
    <message>
        <source>No archive is configured.</source>
        <translation>Aucune archive n&apos;est configurée.</translation>
    </message>
    <message>
        <source>No hanging protocol applies to this study, not even a fallback; add a protocol without required rules.</source>
        <translation>Aucun protocole d&apos;affichage ne s&apos;applique à cet examen, pas même un protocole de repli ; ajoutez un protocole sans règle obligatoire.</translation>
    </message>
    <message>
        <source>No hanging protocols are loaded; reinstall the workstation&apos;s resources.</source>
        <translation>Aucun protocole d&apos;affichage n&apos;est chargé ; réinstallez les ressources de la station.</translation>
    </message>
    <message>
        <source>No image is marked as a key image; mark an image first.</source>
        <translation>Aucune image n&apos;est marquée comme image clé ; marquez d&apos;abord une image.</translation>
    </message>
    <message>
        <source>No images were chosen for rejection; select the images or series to reject.</source>
        <translation>Aucune image n&apos;a été choisie pour le rejet ; sélectionnez les images ou séries à rejeter.</translation>
    </message>
    <message>
        <source>No images were given, so no volume can be built.</source>
        <translation>Aucune image fournie : aucun volume ne peut être construit.</translation>
    </message>
    <message>
        <source>Only a user with a signing credential can make a report final; set up a key file or a smart card first.</source>
        <translation>Seul un utilisateur disposant d&apos;un moyen de signature peut rendre un compte rendu définitif ; configurez d&apos;abord un fichier de clé ou une carte à puce.</translation>
    </message>
    <message>
        <source>Only an addendum version has an addendum section; start an addendum first.</source>
        <translation>Seule une version addendum a une section addendum ; commencez d&apos;abord un addendum.</translation>
    </message>
    <message>
        <source>Only grayscale images can be measured; this image has colour samples.</source>
        <translation>Seules les images en niveaux de gris peuvent être mesurées ; cette image est en couleur.</translation>
    </message>
    <message>
        <source>The PDF carries no signature.</source>
        <translation>Le PDF ne porte aucune signature.</translation>
    </message>
    <message>
        <source>The QC report names no study, so its status cannot be recorded.</source>
        <translation>Le rapport CQ ne nomme aucun examen : son état ne peut pas être enregistré.</translation>
    </message>
    <message>
        <source>The archive answered with a body that is not multipart/related as DICOMweb requires (PS3.18 8.6.1.2); check that the URL points to a DICOMweb service.</source>
        <translation>L&apos;archive a répondu avec un contenu qui n&apos;est pas multipart/related comme l&apos;exige DICOMweb (PS3.18 8.6.1.2) ; vérifiez que l&apos;URL désigne un service DICOMweb.</translation>
    </message>
    <message>
        <source>The archive sent a multipart body with a malformed part header; the transfer cannot be read.</source>
        <translation>L&apos;archive a envoyé un contenu multipart dont un en-tête est mal formé ; le transfert est illisible.</translation>
    </message>
    <message>
        <source>The background transfer was cancelled.</source>
        <translation>Le transfert en arrière-plan a été annulé.</translation>
    </message>
    <message>
        <source>The crosshair must be a finite patient point.</source>
        <translation>Le réticule doit être un point patient fini.</translation>
    </message>
    <message>
        <source>The curved reformat path has length zero; click at least two different points.</source>
        <translation>Le tracé de la reconstruction curviligne est de longueur nulle ; cliquez au moins deux points différents.</translation>
    </message>
    <message>
        <source>The curved reformat path runs along the view direction; draw it within one plane.</source>
        <translation>Le tracé de la reconstruction curviligne suit la direction de vue ; tracez-le dans un même plan.</translation>
    </message>
    <message>
        <source>The data is not a DICOM object; ask the archive to resend it or check the file.</source>
        <translation>Les données ne sont pas un objet DICOM ; demandez à l&apos;archive de les renvoyer ou vérifiez le fichier.</translation>
    </message>
    <message>
        <source>The file is not a saved report history.</source>
        <translation>Le fichier n&apos;est pas un historique de compte rendu enregistré.</translation>
    </message>
    <message>
        <source>The key images belong to several studies; save the key images of one study at a time.</source>
        <translation>Les images clés appartiennent à plusieurs examens ; enregistrez les images clés d&apos;un examen à la fois.</translation>
    </message>
    <message>
        <source>The letterhead logo is not a readable PNG image; choose another logo file.</source>
        <translation>Le logo de l&apos;en-tête n&apos;est pas une image PNG lisible ; choisissez un autre fichier.</translation>
    </message>
    <message>
        <source>The library has been closed; open it again.</source>
        <translation>La bibliothèque a été fermée ; ouvrez-la à nouveau.</translation>
    </message>
    <message>
        <source>The measured series has no single Frame of Reference UID, so 3D coordinates cannot be saved for it.</source>
        <translation>La série mesurée n&apos;a pas un Frame of Reference UID unique : les coordonnées 3D ne peuvent pas être enregistrées.</translation>
    </message>
    <message>
        <source>The new value of PatientSex must be M, F, O or empty (PS3.3 C.7.1.1).</source>
        <translation>La nouvelle valeur de PatientSex doit être M, F, O ou vide (PS3.3 C.7.1.1).</translation>
    </message>
    <message>
        <source>The probe point lies outside the image; place it on the image.</source>
        <translation>Le point de sonde est hors de l&apos;image ; placez-le sur l&apos;image.</translation>
    </message>
    <message>
        <source>The probe point lies outside the volume; place it on the image.</source>
        <translation>Le point de sonde est hors du volume ; placez-le sur l&apos;image.</translation>
    </message>
    <message>
        <source>The report has no impression; write it before signing.</source>
        <translation>Le compte rendu n&apos;a pas de conclusion ; rédigez-la avant de signer.</translation>
    </message>
    <message>
        <source>The settings file does not hold a JSON object.</source>
        <translation>Le fichier de paramètres ne contient pas un objet JSON.</translation>
    </message>
    <message>
        <source>The shipped hanging protocols were not found (resources/hanging); reinstall the workstation or set WORKSTATION_RESOURCES to its resources folder.</source>
        <translation>Les protocoles d&apos;affichage livrés sont introuvables (resources/hanging) ; réinstallez la station ou indiquez son dossier de ressources dans WORKSTATION_RESOURCES.</translation>
    </message>
    <message>
        <source>The signature&apos;s timestamp could not be verified: add the time-stamping authority&apos;s CA under Settings &gt; Signing; the report was not made final.</source>
        <translation>L&apos;horodatage de la signature n&apos;a pas pu être vérifié : ajoutez l&apos;autorité de l&apos;horodateur dans Paramètres &gt; Signature ; le compte rendu n&apos;a pas été rendu définitif.</translation>
    </message>
    <message>
        <source>The slices do not advance along their normal, so they cannot be resampled into a volume.</source>
        <translation>Les coupes n&apos;avancent pas le long de leur normale : elles ne peuvent pas être rééchantillonnées en volume.</translation>
    </message>
    <message>
        <source>The study holds no instances to correct.</source>
        <translation>L&apos;examen ne contient aucune instance à corriger.</translation>
    </message>
    <message>
        <source>The time-stamping authority&apos;s URL must start with http:// or https://.</source>
        <translation>L&apos;URL de l&apos;autorité d&apos;horodatage doit commencer par http:// ou https://.</translation>
    </message>
    <message>
        <source>The transfer was cancelled.</source>
        <translation>Le transfert a été annulé.</translation>
    </message>
    <message>
        <source>The window width must be at least 1 (PS3.3 C.11.2.1.2).</source>
        <translation>La largeur de fenêtre doit être d&apos;au moins 1 (PS3.3 C.11.2.1.2).</translation>
    </message>
    <message>
        <source>The zoom factor must be a positive number.</source>
        <translation>Le facteur de zoom doit être un nombre positif.</translation>
    </message>
    <message>
        <source>There are no MPR measurements to save; draw one on a plane first.</source>
        <translation>Il n&apos;y a aucune mesure MPR à enregistrer ; tracez-en d&apos;abord une sur un plan.</translation>
    </message>
    <message>
        <source>There are no measurements to save; draw a measurement first.</source>
        <translation>Il n&apos;y a aucune mesure à enregistrer ; tracez d&apos;abord une mesure.</translation>
    </message>
    <message>
        <source>There is nothing to correct: every instance already holds the values given.</source>
        <translation>Rien à corriger : chaque instance porte déjà les valeurs données.</translation>
    </message>
    <message>
        <source>Writing</source>
        <extracomment>The steps the export and the sending report with their progress (workstation.export).</extracomment>
        <translation>Écriture</translation>
    </message>
    <message>
        <source>Checking</source>
        <translation>Vérification</translation>
    </message>
    <message>
        <source>Drawing</source>
        <translation>Dessin</translation>
    </message>
    <message>
        <source>Queueing</source>
        <translation>Mise en file</translation>
    </message>
    <message>
        <source>The unlock password is not right; try again.</source>
        <extracomment>Recorded in English in the audit log, shown translated (context ``core``: :func:`core_text`).</extracomment>
        <translation>Le mot de passe de déverrouillage est incorrect ; réessayez.</translation>
    </message>
</context>
<context>
    <name>hanging_bridge</name>
    <message>
        <source>{0} wanted: shown as stored images (Ctrl+D: 3D)</source>
        <extracomment>Whether studies open laid out by their protocol when the reader has not chosen (Hanging &gt; Apply protocols when a study opens, kept in ui.ini). &quot;Link current and prior here&quot;: the active viewport&apos;s slice and its partner&apos;s are the same anatomy. Most priors read for one study, whatever a protocol asks. Prefix of the study view&apos;s sync group keys made from a stage&apos;s sync groups. The link speed the prior prefetch&apos;s share is taken of (bytes per second): 100 Mbit/s. How often the prefetch looks whether the current study is still loading, in ms.</extracomment>
        <translation>{0} demandé : affiché en images stockées (Ctrl+D : 3D)</translation>
    </message>
    <message>
        <source>date unknown</source>
        <translation>date inconnue</translation>
    </message>
    <message>
        <source>Prior {0}</source>
        <translation>Antérieur {0}</translation>
    </message>
</context>
<context>
    <name>measure_tools</name>
    <message>
        <source>The long axis has no length; drag it again.</source>
        <translation>Le grand axe n&apos;a pas de longueur ; tracez-le à nouveau.</translation>
    </message>
</context>
<context>
    <name>outbox_view</name>
    <message>
        <source>Delivered {0}</source>
        <translation>Livré le {0}</translation>
    </message>
    <message>
        <source>Failed after {0} attempt(s):{1} Fix it, then Retry.</source>
        <translation>Échec après {0} tentative(s) :{1} Corrigez la cause, puis Réessayer.</translation>
    </message>
    <message>
        <source>Waiting for the first try.</source>
        <translation>En attente du premier essai.</translation>
    </message>
    <message>
        <source>Pending after {0} attempt(s); next try {1}.{2}</source>
        <translation>En attente après {0} tentative(s) ; prochain essai {1}.{2}</translation>
    </message>
</context>
<context>
    <name>pending_view</name>
    <message>
        <source>{0} object{1} waiting for the archive</source>
        <extracomment>How often the pending folder is looked at (ms); it is read again only when it changed. How often objects still waiting are sent again on their own (ms).</extracomment>
        <translation>{0} objet(s) en attente de l&apos;archive</translation>
    </message>
    <message>
        <source>Refused by the archive: {0} Fix the cause, then Send now, or Discard it.</source>
        <translation>Refusé par l&apos;archive : {0} Corrigez la cause, puis Envoyer maintenant, ou Abandonner.</translation>
    </message>
    <message>
        <source>Waiting behind an older object the archive did not take yet.</source>
        <translation>En attente derrière un objet plus ancien que l&apos;archive n&apos;a pas encore pris.</translation>
    </message>
    <message>
        <source>Waiting to be sent.</source>
        <translation>En attente d&apos;envoi.</translation>
    </message>
    <message>
        <source>Not sent yet ({0} attempt{1}): {2} It is sent again when the archive answers.</source>
        <translation>Pas encore envoyé ({0} tentative(s)) : {2} Il sera renvoyé quand l&apos;archive répondra.</translation>
    </message>
    <message>
        <source>(study without description)</source>
        <translation>(examen sans description)</translation>
    </message>
</context>
<context>
    <name>plane_pane</name>
    <message>
        <source>Reading the images</source>
        <translation>Lecture des images</translation>
    </message>
    <message>
        <source>The reformat is made once the series&apos; images have arrived.</source>
        <translation>La reconstruction est faite dès que les images de la série sont arrivées.</translation>
    </message>
</context>
<context>
    <name>qc</name>
    <message>
        <source>Accession number differs between images</source>
        <extracomment>What each QC finding is (workstation.qc, by finding code): the interface shows this title in the reader&apos;s language and keeps the core&apos;s detailed sentence (with its numbers) beside it.</extracomment>
        <translation>Numéro d&apos;accession différent selon les images</translation>
    </message>
    <message>
        <source>Bits Stored larger than Bits Allocated</source>
        <translation>Bits Stored supérieur à Bits Allocated</translation>
    </message>
    <message>
        <source>Burned-in annotation</source>
        <translation>Annotation incrustée dans l&apos;image</translation>
    </message>
    <message>
        <source>Repeated instance numbers</source>
        <translation>Numéros d&apos;instance répétés</translation>
    </message>
    <message>
        <source>Same image received twice</source>
        <translation>Même image reçue deux fois</translation>
    </message>
    <message>
        <source>Two different images share one UID</source>
        <translation>Deux images différentes partagent un même UID</translation>
    </message>
    <message>
        <source>File meta information invalid</source>
        <translation>En-tête de fichier (file meta) invalide</translation>
    </message>
    <message>
        <source>Gaps between slices</source>
        <translation>Espaces entre les coupes</translation>
    </message>
    <message>
        <source>High Bit inconsistent with Bits Stored</source>
        <translation>High Bit incohérent avec Bits Stored</translation>
    </message>
    <message>
        <source>Invalid pixel description</source>
        <translation>Description des pixels invalide</translation>
    </message>
    <message>
        <source>Pixel description missing</source>
        <translation>Description des pixels absente</translation>
    </message>
    <message>
        <source>Image position or orientation missing</source>
        <translation>Position ou orientation de l&apos;image absente</translation>
    </message>
    <message>
        <source>Instance numbers skip values</source>
        <translation>Numéros d&apos;instance discontinus</translation>
    </message>
    <message>
        <source>Invalid image orientation</source>
        <translation>Orientation de l&apos;image invalide</translation>
    </message>
    <message>
        <source>Invalid pixel spacing</source>
        <translation>Espacement des pixels invalide</translation>
    </message>
    <message>
        <source>Invalid image position</source>
        <translation>Position de l&apos;image invalide</translation>
    </message>
    <message>
        <source>Lossy compression</source>
        <translation>Compression avec perte</translation>
    </message>
    <message>
        <source>Lossy compressed mammogram</source>
        <translation>Mammographie compressée avec perte</translation>
    </message>
    <message>
        <source>CT dose information missing</source>
        <translation>Informations de dose TDM absentes</translation>
    </message>
    <message>
        <source>Instance number missing</source>
        <translation>Numéro d&apos;instance absent</translation>
    </message>
    <message>
        <source>Several orientations in one series</source>
        <translation>Plusieurs orientations dans une même série</translation>
    </message>
    <message>
        <source>Several image sizes in one series</source>
        <translation>Plusieurs tailles d&apos;image dans une même série</translation>
    </message>
    <message>
        <source>Pixel spacing missing: no measurement in mm</source>
        <translation>Espacement des pixels absent : pas de mesure en mm</translation>
    </message>
    <message>
        <source>Overlapping slices</source>
        <translation>Coupes chevauchantes</translation>
    </message>
    <message>
        <source>Birth date differs between images</source>
        <translation>Date de naissance différente selon les images</translation>
    </message>
    <message>
        <source>Patient ID differs between images</source>
        <translation>ID patient différent selon les images</translation>
    </message>
    <message>
        <source>Patient name differs between images</source>
        <translation>Nom du patient différent selon les images</translation>
    </message>
    <message>
        <source>Patient sex differs between images</source>
        <translation>Sexe du patient différent selon les images</translation>
    </message>
    <message>
        <source>Invalid photometric interpretation</source>
        <translation>Interprétation photométrique invalide</translation>
    </message>
    <message>
        <source>Photometric interpretation and samples disagree</source>
        <translation>Interprétation photométrique et échantillons incohérents</translation>
    </message>
    <message>
        <source>Images of several studies</source>
        <translation>Images de plusieurs examens</translation>
    </message>
    <message>
        <source>Study date differs between images</source>
        <translation>Date d&apos;examen différente selon les images</translation>
    </message>
    <message>
        <source>Pixel data cannot be decoded</source>
        <translation>Pixels impossibles à décoder</translation>
    </message>
    <message>
        <source>Check not run</source>
        <translation>Contrôle non effectué</translation>
    </message>
    <message>
        <source>Pixel data not checked</source>
        <translation>Pixels non contrôlés</translation>
    </message>
</context>
<context>
    <name>qc_dialogs</name>
    <message>
        <source>{0} will be withdrawn from reading. A rejection note titled “{1}” (IHE IOCM, DCM {2}) will be stored in {3}; the images stay there but are hidden when the study is read and shown greyed in QC mode. The rejection is recorded in the audit log and cannot be undone from this workstation.</source>
        <translation>{0} sera retiré de la lecture. Une note de rejet intitulée « {1} » (IHE IOCM, DCM {2}) sera enregistrée dans {3} ; les images y restent mais sont masquées à la lecture de l&apos;examen et grisées en mode CQ. Le rejet est consigné dans le journal d&apos;audit et ne peut pas être annulé depuis cette station.</translation>
    </message>
</context>
<context>
    <name>report_editor</name>
    <message>
        <source>Only a user with a signing credential can make a report final; set up a key file or a smart card first.</source>
        <translation>Seul un utilisateur disposant d&apos;un moyen de signature peut rendre un compte rendu définitif ; configurez d&apos;abord un fichier de clé ou une carte à puce.</translation>
    </message>
    <message>
        <source>Signing the report…</source>
        <translation>Signature du compte rendu…</translation>
    </message>
    <message>
        <source>Queueing the report for delivery…</source>
        <translation>Mise en file du compte rendu pour envoi…</translation>
    </message>
    <message>
        <source>Delivering the report…</source>
        <translation>Envoi du compte rendu…</translation>
    </message>
    <message>
        <source>Signed by {0} at {1}.</source>
        <translation>Signé par {0} le {1}.</translation>
    </message>
    <message>
        <source> The signer&apos;s identity was not checked against a trusted authority (no CA is configured): add the practice&apos;s CA under Settings &gt; Signing.</source>
        <translation> L&apos;identité du signataire n&apos;a pas été vérifiée auprès d&apos;une autorité de confiance (aucune autorité configurée) : ajoutez l&apos;autorité du cabinet dans Paramètres &gt; Signature.</translation>
    </message>
    <message>
        <source> No RIS or archive is configured, so the report waits in the outbox (File &gt; Outbox).</source>
        <translation> Aucun RIS ni archive n&apos;est configuré : le compte rendu attend dans la boîte d&apos;envoi (Fichier &gt; Boîte d&apos;envoi).</translation>
    </message>
    <message>
        <source> Delivery: {0}.</source>
        <translation> Envoi : {0}.</translation>
    </message>
</context>
<context>
    <name>series_browser</name>
    <message>
        <source>volume</source>
        <extracomment>Kinds of series as the series list names them (workstation.ui.series_browser.KIND_LABELS).</extracomment>
        <translation>volume</translation>
    </message>
    <message>
        <source>images</source>
        <translation>images</translation>
    </message>
    <message>
        <source>cine</source>
        <translation>ciné</translation>
    </message>
    <message>
        <source>report</source>
        <translation>compte rendu</translation>
    </message>
    <message>
        <source>PDF document</source>
        <translation>document PDF</translation>
    </message>
    <message>
        <source>key images</source>
        <translation>images clés</translation>
    </message>
    <message>
        <source>presentation state</source>
        <translation>état de présentation</translation>
    </message>
    <message>
        <source>segmentation</source>
        <translation>segmentation</translation>
    </message>
    <message>
        <source>RT structures</source>
        <translation>structures RT</translation>
    </message>
    <message>
        <source>not shown</source>
        <translation>non affiché</translation>
    </message>
    <message>
        <source>loading {0}/{1}</source>
        <translation>chargement {0}/{1}</translation>
    </message>
    <message>
        <source>{0} of {1} not shown</source>
        <translation>{0} sur {1} non affichées</translation>
    </message>
</context>
<context>
    <name>settings_dialog</name>
    <message>
        <source>The server at {0} answered, but not in FHIR; check the FHIR base URL.</source>
        <translation>Le serveur {0} a répondu, mais pas en FHIR ; vérifiez l&apos;URL de base FHIR.</translation>
    </message>
    <message>
        <source>The RIS at {0} answers in FHIR but sent no CapabilityStatement, so its FHIR version is unknown.</source>
        <translation>Le RIS {0} répond en FHIR mais n&apos;a envoyé aucun CapabilityStatement : sa version FHIR est inconnue.</translation>
    </message>
    <message>
        <source>The RIS at {0}{1} speaks FHIR {2}, not R4 (4.0.x); reports may be refused.</source>
        <translation>Le RIS {0}{1} parle FHIR {2}, pas R4 (4.0.x) ; les comptes rendus risquent d&apos;être refusés.</translation>
    </message>
    <message>
        <source>The RIS at {0}{1} answers: FHIR {2}.</source>
        <translation>Le RIS {0}{1} répond : FHIR {2}.</translation>
    </message>
</context>
<context>
    <name>shortcuts</name>
    <message>
        <source>Mouse wheel, Up/Down, Page Up/Down, Home/End</source>
        <extracomment>QC mode (issue 8): the QC tab and the DICOM tag browser of the active image. Reporting (issue 7): the report editor dock of the study in front. MPR and 3D (issue 4): the active viewport&apos;s volume in a tab of its own; the same key goes back to the study. (Ctrl+3 is the 2 x 1 layout, so 3D is Ctrl+D.) What the viewport does with the mouse and scroll keys (handled inside the viewport).</extracomment>
        <translation>Molette, Haut/Bas, Page préc./suiv., Début/Fin</translation>
    </message>
    <message>
        <source>Scroll through the images</source>
        <translation>Faire défiler les images</translation>
    </message>
    <message>
        <source>Right-drag</source>
        <translation>Glisser avec le bouton droit</translation>
    </message>
    <message>
        <source>Window/level</source>
        <translation>Fenêtre/niveau</translation>
    </message>
    <message>
        <source>Middle-drag / Ctrl+wheel</source>
        <translation>Glisser avec le bouton du milieu / Ctrl+molette</translation>
    </message>
    <message>
        <source>Pan / zoom</source>
        <translation>Déplacer / zoomer</translation>
    </message>
    <message>
        <source>3D cursor: the other viewports jump to the point</source>
        <translation>Curseur 3D : les autres fenêtres sautent au point</translation>
    </message>
    <message>
        <source>Double-click</source>
        <translation>Double-clic</translation>
    </message>
    <message>
        <source>Maximise or restore the viewport</source>
        <translation>Agrandir ou restaurer la fenêtre</translation>
    </message>
    <message>
        <source>Drag a series from the list</source>
        <translation>Glisser une série depuis la liste</translation>
    </message>
    <message>
        <source>Show it in the viewport it is dropped on</source>
        <translation>L&apos;afficher dans la fenêtre où elle est déposée</translation>
    </message>
</context>
<context>
    <name>tag_browser</name>
    <message>
        <source>DICOM tags — {0}</source>
        <translation>Balises DICOM — {0}</translation>
    </message>
    <message>
        <source>DICOM tags</source>
        <translation>Balises DICOM</translation>
    </message>
</context>
<context>
    <name>worklist</name>
    <message>
        <source>archive</source>
        <extracomment>Where a study is (workstation.model.entities ARCHIVE, LIBRARY), as the Origin column says it.</extracomment>
        <translation>archive</translation>
    </message>
    <message>
        <source>library</source>
        <translation>bibliothèque</translation>
    </message>
    <message>
        <source>{0} of {1}</source>
        <translation>{0} sur {1}</translation>
    </message>
    <message>
        <source>{0} (incomplete)</source>
        <translation>{0} (incomplet)</translation>
    </message>
</context>
</TS>
