<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_CA" sourcelanguage="en">
    <context>
        <name>main</name>
        <message>
            <source>Outpost Studio: design, run and inspect agents.</source>
            <translation>Outpost Studio : concevoir, exécuter et inspecter des agents.</translation>
        </message>
        <message>
            <source>The project folder to open.</source>
            <translation>Le dossier du projet à ouvrir.</translation>
        </message>
    </context>
    <context>
        <name>outpost::cli</name>
        <message>
            <source>Usage: outpost COMMAND [ARGS...]</source>
            <translation>Utilisation : outpost COMMANDE [ARGUMENTS...]</translation>
        </message>
        <message>
            <source>Commands:</source>
            <translation>Commandes :</translation>
        </message>
        <message>
            <source>Run 'outpost COMMAND --help' for the options of a command.</source>
            <translation>Lancez « outpost COMMANDE --help » pour les options d’une commande.</translation>
        </message>
        <message>
            <source>outpost: unknown command '%1'</source>
            <translation>outpost : commande inconnue « %1 »</translation>
        </message>
        <message>
            <source>Create a new project from the sample project</source>
            <translation>Créer un projet à partir du projet exemple</translation>
        </message>
        <message>
            <source>Check a project's manifest and agent graphs</source>
            <translation>Vérifier le manifeste et les graphes d’agents d’un projet</translation>
        </message>
        <message>
            <source>List the compute devices the engine can use</source>
            <translation>Lister les appareils de calcul que le moteur peut utiliser</translation>
        </message>
        <message>
            <source>List the compute devices the engine can use.</source>
            <translation>Lister les appareils de calcul que le moteur peut utiliser.</translation>
        </message>
        <message>
            <source>Print one JSON object.</source>
            <translation>Afficher un seul objet JSON.</translation>
        </message>
        <message>
            <source>Check a project's manifest and agent graphs. Exits with 1 when there are errors.</source>
            <translation>Vérifier le manifeste et les graphes d’agents d’un projet. Quitte avec le code 1 s’il y a des erreurs.</translation>
        </message>
        <message>
            <source>Print the diagnostics as JSON.</source>
            <translation>Afficher les diagnostics en JSON.</translation>
        </message>
        <message>
            <source>The project folder.</source>
            <translation>Le dossier du projet.</translation>
        </message>
        <message>
            <source>outpost validate: give exactly one project folder</source>
            <translation>outpost validate : indiquez un seul dossier de projet</translation>
        </message>
        <message numerus="yes">
            <source>%1 %2: manifest and %n agent(s) are valid</source>
            <translation>
                <numerusform>%1 %2 : le manifeste et %n agent sont valides</numerusform>
                <numerusform>%1 %2 : le manifeste et %n agents sont valides</numerusform>
            </translation>
        </message>
        <message>
            <source>Create a new project in FOLDER from the sample project (or an empty one with --empty).</source>
            <translation>Créer un projet dans DOSSIER à partir du projet exemple (ou un projet vide avec --empty).</translation>
        </message>
        <message>
            <source>Create a project with no agents.</source>
            <translation>Créer un projet sans agents.</translation>
        </message>
        <message>
            <source>The project's name (default: the folder's name).</source>
            <translation>Le nom du projet (par défaut : le nom du dossier).</translation>
        </message>
        <message>
            <source>Where to create the project.</source>
            <translation>Où créer le projet.</translation>
        </message>
        <message>
            <source>outpost init: give exactly one folder</source>
            <translation>outpost init : indiquez un seul dossier</translation>
        </message>
        <message>
            <source>outpost init: "%1" is not a valid project name; use --name</source>
            <translation>outpost init : « %1 » n’est pas un nom de projet valide; utilisez --name</translation>
        </message>
        <message>
            <source>outpost init: %1</source>
            <translation>outpost init : %1</translation>
        </message>
        <message>
            <source>Created project %1 in %2</source>
            <translation>Projet %1 créé dans %2</translation>
        </message>
    </context>
    <context>
        <name>outpost::core::AgentGraph</name>
        <message>
            <source>unknown field "%1"</source>
            <translation>champ inconnu « %1 »</translation>
        </message>
        <message>
            <source>missing required field "%1"</source>
            <translation>champ obligatoire « %1 » manquant</translation>
        </message>
        <message>
            <source>"%1" must be %2, not %3</source>
            <translation>« %1 » doit être %2, pas %3</translation>
        </message>
        <message>
            <source>a string</source>
            <translation>une chaîne</translation>
        </message>
        <message>
            <source>an agent file must be a JSON object, not %1</source>
            <translation>un fichier d’agent doit être un objet JSON, pas %1</translation>
        </message>
        <message>
            <source>an integer</source>
            <translation>un entier</translation>
        </message>
        <message>
            <source>schema version %1 is not supported; this Outpost reads version %2</source>
            <translation>la version de schéma %1 n’est pas prise en charge; cet Outpost lit la version %2</translation>
        </message>
        <message>
            <source>"%1" is not a valid agent name: use a letter, then letters, digits, "_" or "-" (at most 64)</source>
            <translation>« %1 » n’est pas un nom d’agent valide : utilisez une lettre, puis des lettres, des chiffres, « _ » ou « - » (64 au plus)</translation>
        </message>
        <message>
            <source>an array</source>
            <translation>un tableau</translation>
        </message>
        <message>
            <source>a node must be an object, not %1</source>
            <translation>un nœud doit être un objet, pas %1</translation>
        </message>
        <message>
            <source>an array [x, y]</source>
            <translation>un tableau [x, y]</translation>
        </message>
        <message>
            <source>"position" must be two finite numbers [x, y]</source>
            <translation>« position » doit contenir deux nombres finis [x, y]</translation>
        </message>
        <message>
            <source>an object</source>
            <translation>un objet</translation>
        </message>
        <message>
            <source>an edge must be an object, not %1</source>
            <translation>un lien doit être un objet, pas %1</translation>
        </message>
        <message>
            <source>"%1" must not be empty</source>
            <translation>« %1 » ne doit pas être vide</translation>
        </message>
        <message>
            <source>true or false</source>
            <translation>true ou false</translation>
        </message>
        <message>
            <source>a number</source>
            <translation>un nombre</translation>
        </message>
        <message>
            <source>"%1" must be finite</source>
            <translation>« %1 » doit être fini</translation>
        </message>
        <message>
            <source>"%1" is %2; it must be between %3 and %4</source>
            <translation>« %1 » vaut %2; il doit être entre %3 et %4</translation>
        </message>
        <message>
            <source>"%1" is "%2"; it must be one of: %3</source>
            <translation>« %1 » vaut « %2 »; il doit valoir l’un de : %3</translation>
        </message>
        <message>
            <source>an array of strings</source>
            <translation>un tableau de chaînes</translation>
        </message>
        <message>
            <source>"%1" must contain only strings, not %2</source>
            <translation>« %1 » ne doit contenir que des chaînes, pas %2</translation>
        </message>
        <message>
            <source>"%1" is not a valid node id: use a letter or "_", then letters, digits, "_", "." or "-" (at most 64)</source>
            <translation>« %1 » n’est pas un identifiant de nœud valide : utilisez une lettre ou « _ », puis des lettres, des chiffres, « _ », « . » ou « - » (64 au plus)</translation>
        </message>
        <message>
            <source>node id "%1" is used twice</source>
            <translation>l’identifiant de nœud « %1 » est utilisé deux fois</translation>
        </message>
        <message>
            <source>unknown node type "%1"; known types: %2</source>
            <translation>type de nœud inconnu « %1 »; types connus : %2</translation>
        </message>
        <message>
            <source>node type "%1" has no property "%2"</source>
            <translation>le type de nœud « %1 » n’a pas de propriété « %2 »</translation>
        </message>
        <message>
            <source>node "%1" (%2) needs the property "%3"</source>
            <translation>le nœud « %1 » (%2) exige la propriété « %3 »</translation>
        </message>
        <message>
            <source>the graph needs a node of type "%1"</source>
            <translation>le graphe exige un nœud de type « %1 »</translation>
        </message>
        <message>
            <source>the graph needs at least %1 nodes of type "%2"</source>
            <translation>le graphe exige au moins %1 nœuds de type « %2 »</translation>
        </message>
        <message>
            <source>the graph has %1 nodes of type "%2"; at most %3 are allowed</source>
            <translation>le graphe a %1 nœuds de type « %2 »; %3 au plus sont permis</translation>
        </message>
        <message>
            <source>no node has the id "%1"</source>
            <translation>aucun nœud n’a l’identifiant « %1 »</translation>
        </message>
        <message>
            <source>node "%1" (%2) has no output port "%3"</source>
            <translation>le nœud « %1 » (%2) n’a pas de port de sortie « %3 »</translation>
        </message>
        <message>
            <source>node "%1" (%2) has no input port "%3"</source>
            <translation>le nœud « %1 » (%2) n’a pas de port d’entrée « %3 »</translation>
        </message>
        <message>
            <source>cannot connect %1 output "%2.%3" to %4 input "%5.%6"</source>
            <translation>impossible de relier la sortie %1 « %2.%3 » à l’entrée %4 « %5.%6 »</translation>
        </message>
        <message>
            <source>input "%1.%2" already has an incoming edge</source>
            <translation>l’entrée « %1.%2 » a déjà un lien entrant</translation>
        </message>
        <message>
            <source>input "%1" of node "%2" is not connected</source>
            <translation>l’entrée « %1 » du nœud « %2 » n’est pas reliée</translation>
        </message>
        <message>
            <source>the graph has a cycle: %1</source>
            <translation>le graphe a un cycle : %1</translation>
        </message>
    </context>
    <context>
        <name>outpost::core::Diagnostic</name>
        <message>
            <source>error</source>
            <translation>erreur</translation>
        </message>
        <message>
            <source>warning</source>
            <translation>avertissement</translation>
        </message>
    </context>
    <context>
        <name>outpost::core::JsonDocument</name>
        <message>
            <source>not valid JSON: %1</source>
            <translation>JSON non valide : %1</translation>
        </message>
        <message>
            <source>file not found</source>
            <translation>fichier introuvable</translation>
        </message>
        <message>
            <source>cannot read: %1</source>
            <translation>lecture impossible : %1</translation>
        </message>
        <message>
            <source>file is %1 bytes; project files are limited to %2 bytes</source>
            <translation>le fichier fait %1 octets; les fichiers de projet sont limités à %2 octets</translation>
        </message>
        <message>
            <source>cannot serialise: %1</source>
            <translation>sérialisation impossible : %1</translation>
        </message>
    </context>
    <context>
        <name>outpost::core::Manifest</name>
        <message>
            <source>the manifest must be a JSON object, not %1</source>
            <translation>le manifeste doit être un objet JSON, pas %1</translation>
        </message>
        <message>
            <source>missing required field "%1"</source>
            <translation>champ obligatoire « %1 » manquant</translation>
        </message>
        <message>
            <source>"%1" must be a string, not %2</source>
            <translation>« %1 » doit être une chaîne, pas %2</translation>
        </message>
        <message>
            <source>missing required field "schemaVersion"</source>
            <translation>champ obligatoire « schemaVersion » manquant</translation>
        </message>
        <message>
            <source>"schemaVersion" must be an integer, not %1</source>
            <translation>« schemaVersion » doit être un entier, pas %1</translation>
        </message>
        <message>
            <source>schema version %1 is not supported; this Outpost reads version %2</source>
            <translation>la version de schéma %1 n’est pas prise en charge; cet Outpost lit la version %2</translation>
        </message>
        <message>
            <source>"%1" is not a valid project name: use a letter, then letters, digits, "_" or "-" (at most 64)</source>
            <translation>« %1 » n’est pas un nom de projet valide : utilisez une lettre, puis des lettres, des chiffres, « _ » ou « - » (64 au plus)</translation>
        </message>
        <message>
            <source>"%1" is not a semantic version such as 1.0.0</source>
            <translation>« %1 » n’est pas une version sémantique comme 1.0.0</translation>
        </message>
        <message>
            <source>unknown field "%1" is kept but not used</source>
            <translation>le champ inconnu « %1 » est conservé mais pas utilisé</translation>
        </message>
    </context>
    <context>
        <name>outpost::core::NodeTypes</name>
        <message>
            <source>Input</source>
            <translation>Entrée</translation>
        </message>
        <message>
            <source>Where each incoming message or schedule enters the graph</source>
            <translation>Là où chaque message ou planification entre dans le graphe</translation>
        </message>
        <message>
            <source>Language model</source>
            <translation>Modèle de langage</translation>
        </message>
        <message>
            <source>Answers with a local model or an OpenAI-compatible endpoint</source>
            <translation>Répond avec un modèle local ou un service compatible OpenAI</translation>
        </message>
        <message>
            <source>Model</source>
            <translation>Modèle</translation>
        </message>
        <message>
            <source>Endpoint URL</source>
            <translation>URL du service</translation>
        </message>
        <message>
            <source>System prompt</source>
            <translation>Consigne système</translation>
        </message>
        <message>
            <source>Temperature</source>
            <translation>Température</translation>
        </message>
        <message>
            <source>Top-p</source>
            <translation>Top-p</translation>
        </message>
        <message>
            <source>Maximum tokens</source>
            <translation>Jetons au maximum</translation>
        </message>
        <message>
            <source>Tools</source>
            <translation>Outils</translation>
        </message>
        <message>
            <source>Tool</source>
            <translation>Outil</translation>
        </message>
        <message>
            <source>Calls one tool with JSON arguments</source>
            <translation>Appelle un outil avec des arguments JSON</translation>
        </message>
        <message>
            <source>Tool name</source>
            <translation>Nom de l’outil</translation>
        </message>
        <message>
            <source>Needs approval</source>
            <translation>Exige une approbation</translation>
        </message>
        <message>
            <source>Router</source>
            <translation>Aiguillage</translation>
        </message>
        <message>
            <source>Sends its input one way or the other by a condition</source>
            <translation>Envoie son entrée d’un côté ou de l’autre selon une condition</translation>
        </message>
        <message>
            <source>Condition</source>
            <translation>Condition</translation>
        </message>
        <message>
            <source>Recall memory</source>
            <translation>Rappel de mémoire</translation>
        </message>
        <message>
            <source>Finds the stored passages closest to the message</source>
            <translation>Trouve les passages mémorisés les plus proches du message</translation>
        </message>
        <message>
            <source>Index</source>
            <translation>Index</translation>
        </message>
        <message>
            <source>Results</source>
            <translation>Résultats</translation>
        </message>
        <message>
            <source>Namespace</source>
            <translation>Espace de noms</translation>
        </message>
        <message>
            <source>Metadata filter</source>
            <translation>Filtre de métadonnées</translation>
        </message>
        <message>
            <source>Write memory</source>
            <translation>Écriture en mémoire</translation>
        </message>
        <message>
            <source>Stores its input in a vector index</source>
            <translation>Range son entrée dans un index vectoriel</translation>
        </message>
        <message>
            <source>Code</source>
            <translation>Code</translation>
        </message>
        <message>
            <source>Runs a small JavaScript program in the sandbox</source>
            <translation>Exécute un petit programme JavaScript dans le bac à sable</translation>
        </message>
        <message>
            <source>Source</source>
            <translation>Source</translation>
        </message>
        <message>
            <source>Time limit (ms)</source>
            <translation>Limite de temps (ms)</translation>
        </message>
        <message>
            <source>Schedule</source>
            <translation>Planification</translation>
        </message>
        <message>
            <source>Sets an alarm that runs the agent again later</source>
            <translation>Règle une alarme qui relance l’agent plus tard</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>Genre</translation>
        </message>
        <message>
            <source>When</source>
            <translation>Quand</translation>
        </message>
        <message>
            <source>Callback</source>
            <translation>Rappel</translation>
        </message>
        <message>
            <source>Payload</source>
            <translation>Charge utile</translation>
        </message>
        <message>
            <source>Approval</source>
            <translation>Approbation</translation>
        </message>
        <message>
            <source>Waits until a person approves or denies</source>
            <translation>Attend qu’une personne approuve ou refuse</translation>
        </message>
        <message>
            <source>Question</source>
            <translation>Question</translation>
        </message>
        <message>
            <source>Set state</source>
            <translation>Modifier l’état</translation>
        </message>
        <message>
            <source>Writes its input into the instance's state</source>
            <translation>Écrit son entrée dans l’état de l’instance</translation>
        </message>
        <message>
            <source>State path</source>
            <translation>Chemin dans l’état</translation>
        </message>
        <message>
            <source>Output</source>
            <translation>Sortie</translation>
        </message>
        <message>
            <source>Sends the reply to every connected client</source>
            <translation>Envoie la réponse à chaque client connecté</translation>
        </message>
    </context>
    <context>
        <name>outpost::core::Project</name>
        <message>
            <source>the agent is named "%1" but its file is named for "%2"</source>
            <translation>l’agent se nomme « %1 », mais son fichier porte le nom « %2 »</translation>
        </message>
        <message>
            <source>no such folder</source>
            <translation>dossier introuvable</translation>
        </message>
        <message>
            <source>not a project folder (expected a folder holding %1)</source>
            <translation>pas un dossier de projet (un dossier contenant %1 est attendu)</translation>
        </message>
        <message>
            <source>not an Outpost project: %1 is missing</source>
            <translation>pas un projet Outpost : %1 est absent</translation>
        </message>
        <message>
            <source>"%1" is not a valid project name: use a letter, then letters, digits, "_" or "-" (at most 64)</source>
            <translation>« %1 » n’est pas un nom de projet valide : utilisez une lettre, puis des lettres, des chiffres, « _ » ou « - » (64 au plus)</translation>
        </message>
        <message>
            <source>this folder already holds a project</source>
            <translation>ce dossier contient déjà un projet</translation>
        </message>
        <message>
            <source>cannot create the folder</source>
            <translation>impossible de créer le dossier</translation>
        </message>
        <message>
            <source>"%1" is not a valid agent name</source>
            <translation>« %1 » n’est pas un nom d’agent valide</translation>
        </message>
        <message>
            <source>cannot create the agents folder</source>
            <translation>impossible de créer le dossier des agents</translation>
        </message>
    </context>
    <context>
        <name>outpost::core::SampleProject</name>
        <message>
            <source>this build has no sample project</source>
            <translation>cette version n’a pas de projet exemple</translation>
        </message>
        <message>
            <source>%1 already holds a project</source>
            <translation>%1 contient déjà un projet</translation>
        </message>
        <message>
            <source>cannot create %1</source>
            <translation>impossible de créer %1</translation>
        </message>
        <message>
            <source>cannot write %1</source>
            <translation>impossible d’écrire %1</translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::AgentListModel</name>
        <message numerus="yes">
            <source>%n problem(s) in %1</source>
            <translation>
                <numerusform>%n problème dans %1</numerusform>
                <numerusform>%n problèmes dans %1</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::AgentView</name>
        <message>
            <source>Node</source>
            <translation>Nœud</translation>
        </message>
        <message>
            <source>Details</source>
            <translation>Détails</translation>
        </message>
        <message>
            <source>No agent selected</source>
            <translation>Aucun agent choisi</translation>
        </message>
        <message>
            <source>Choose an agent in the Agents panel to see its graph.</source>
            <translation>Choisissez un agent dans le panneau Agents pour voir son graphe.</translation>
        </message>
        <message>
            <source>%1 cannot be read; see the Problems panel.</source>
            <translation>%1 ne peut pas être lu; voyez le panneau Problèmes.</translation>
        </message>
        <message>
            <source>No description.</source>
            <translation>Aucune description.</translation>
        </message>
        <message numerus="yes">
            <source>%1
%2 · %n node(s)</source>
            <translation>
                <numerusform>%1
%2 · %n nœud</numerusform>
                <numerusform>%1
%2 · %n nœuds</numerusform>
            </translation>
        </message>
        <message>
            <source>default value</source>
            <translation>valeur par défaut</translation>
        </message>
        <message>
            <source>in: %1 (%2)</source>
            <translation>entrée : %1 (%2)</translation>
        </message>
        <message>
            <source>not connected</source>
            <translation>non relié</translation>
        </message>
        <message>
            <source>from %1</source>
            <translation>de %1</translation>
        </message>
        <message>
            <source>out: %1 (%2)</source>
            <translation>sortie : %1 (%2)</translation>
        </message>
        <message>
            <source>to %1</source>
            <translation>vers %1</translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::DiagnosticsModel</name>
        <message>
            <source>Error</source>
            <translation>Erreur</translation>
        </message>
        <message>
            <source>Warning</source>
            <translation>Avertissement</translation>
        </message>
        <message>
            <source>line %1, column %2</source>
            <translation>ligne %1, colonne %2</translation>
        </message>
        <message>
            <source>Severity</source>
            <translation>Gravité</translation>
        </message>
        <message>
            <source>File</source>
            <translation>Fichier</translation>
        </message>
        <message>
            <source>Place</source>
            <translation>Endroit</translation>
        </message>
        <message>
            <source>Problem</source>
            <translation>Problème</translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::MainWindow</name>
        <message>
            <source>&amp;File</source>
            <translation>&amp;Fichier</translation>
        </message>
        <message>
            <source>&amp;Open Project…</source>
            <translation>&amp;Ouvrir un projet…</translation>
        </message>
        <message>
            <source>Open &amp;Recent</source>
            <translation>Projets &amp;récents</translation>
        </message>
        <message>
            <source>&amp;Clear Recent Projects</source>
            <translation>&amp;Effacer les projets récents</translation>
        </message>
        <message>
            <source>Re&amp;load Project</source>
            <translation>Re&amp;charger le projet</translation>
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
            <source>&amp;Settings</source>
            <translation>&amp;Paramètres</translation>
        </message>
        <message>
            <source>&amp;Language</source>
            <translation>&amp;Langue</translation>
        </message>
        <message>
            <source>System language</source>
            <translation>Langue du système</translation>
        </message>
        <message>
            <source>&amp;Help</source>
            <translation>Ai&amp;de</translation>
        </message>
        <message>
            <source>&amp;About Outpost</source>
            <translation>À &amp;propos d’Outpost</translation>
        </message>
        <message>
            <source>About &amp;Qt</source>
            <translation>À propos de &amp;Qt</translation>
        </message>
        <message>
            <source>Agents</source>
            <translation>Agents</translation>
        </message>
        <message>
            <source>Project</source>
            <translation>Projet</translation>
        </message>
        <message>
            <source>Problems</source>
            <translation>Problèmes</translation>
        </message>
        <message>
            <source>No recent projects</source>
            <translation>Aucun projet récent</translation>
        </message>
        <message>
            <source>Outpost could not open %1.</source>
            <translation>Outpost n’a pas pu ouvrir %1.</translation>
        </message>
        <message>
            <source>Cannot open project</source>
            <translation>Impossible d’ouvrir le projet</translation>
        </message>
        <message>
            <source>Outpost Studio</source>
            <translation>Outpost Studio</translation>
        </message>
        <message>
            <source>No project open</source>
            <translation>Aucun projet ouvert</translation>
        </message>
        <message>
            <source>%1 — Outpost Studio</source>
            <translation>%1 — Outpost Studio</translation>
        </message>
        <message numerus="yes">
            <source>%1 · %n agent(s)</source>
            <translation>
                <numerusform>%1 · %n agent</numerusform>
                <numerusform>%1 · %n agents</numerusform>
            </translation>
        </message>
        <message>
            <source>no problems</source>
            <translation>aucun problème</translation>
        </message>
        <message numerus="yes">
            <source>%n error(s)</source>
            <translation>
                <numerusform>%n erreur</numerusform>
                <numerusform>%n erreurs</numerusform>
            </translation>
        </message>
        <message>
            <source>Open Project</source>
            <translation>Ouvrir un projet</translation>
        </message>
        <message>
            <source>About Outpost</source>
            <translation>À propos d’Outpost</translation>
        </message>
        <message>
            <source>&lt;h3&gt;Outpost %1&lt;/h3&gt;&lt;p&gt;A desktop agent studio: stateful agents with their own databases and alarms, vector memory, and a local GGUF inference engine.&lt;/p&gt;</source>
            <translation>&lt;h3&gt;Outpost %1&lt;/h3&gt;&lt;p&gt;Un atelier d’agents pour le bureau : des agents avec état, chacun avec sa base de données et ses alarmes, une mémoire vectorielle et un moteur d’inférence GGUF local.&lt;/p&gt;</translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::ManifestView</name>
        <message>
            <source>Name</source>
            <translation>Nom</translation>
        </message>
        <message>
            <source>Version</source>
            <translation>Version</translation>
        </message>
        <message>
            <source>Default model</source>
            <translation>Modèle par défaut</translation>
        </message>
        <message>
            <source>Description</source>
            <translation>Description</translation>
        </message>
        <message>
            <source>Folder</source>
            <translation>Dossier</translation>
        </message>
        <message>
            <source>none</source>
            <translation>aucun</translation>
        </message>
    </context>
</TS>
