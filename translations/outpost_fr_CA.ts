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
        <message>
            <source>Show what a GGUF model file holds</source>
            <translation>Montrer ce que contient un fichier de modèle GGUF</translation>
        </message>
        <message>
            <source>Generate text from a prompt with a GGUF model</source>
            <translation>Générer du texte à partir d’une invite avec un modèle GGUF</translation>
        </message>
        <message>
            <source>Serve a project's agents over WebSocket and HTTP</source>
            <translation>Servir les agents d’un projet par WebSocket et HTTP</translation>
        </message>
        <message>
            <source>Show the tokens a model's tokenizer makes of a text</source>
            <translation>Montrer les jetons que le segmenteur d’un modèle tire d’un texte</translation>
        </message>
        <message>
            <source>Vector memory: create, upsert, query, describe and delete indexes</source>
            <translation>Mémoire vectorielle : créer, insérer, interroger, décrire et supprimer des index</translation>
        </message>
        <message>
            <source>(per layer, largest shown)</source>
            <translation>(par couche, la plus grande affichée)</translation>
        </message>
        <message>
            <source>Show what a GGUF model file holds: architecture, parameters, tensor types, shape, tokenizer and chat template.</source>
            <translation>Montrer ce que contient un fichier de modèle GGUF : architecture, paramètres, types de tenseurs, forme, segmenteur et gabarit de clavardage.</translation>
        </message>
        <message>
            <source>The .gguf file.</source>
            <translation>Le fichier .gguf.</translation>
        </message>
        <message>
            <source>outpost model-info: give exactly one FILE (see --help)</source>
            <translation>outpost model-info : indiquez un seul FICHIER (voyez --help)</translation>
        </message>
        <message>
            <source>outpost model-info: %1</source>
            <translation>outpost model-info : %1</translation>
        </message>
        <message>
            <source>(none)</source>
            <translation>(aucun)</translation>
        </message>
        <message>
            <source>file</source>
            <translation>fichier</translation>
        </message>
        <message>
            <source>%1 (%2, GGUF v%3)</source>
            <translation>%1 (%2, GGUF v%3)</translation>
        </message>
        <message>
            <source>architecture</source>
            <translation>architecture</translation>
        </message>
        <message>
            <source>name</source>
            <translation>nom</translation>
        </message>
        <message>
            <source>parameters</source>
            <translation>paramètres</translation>
        </message>
        <message>
            <source>%1 (%2)</source>
            <translation>%1 (%2)</translation>
        </message>
        <message>
            <source>%1 ×%2 (%3)%4</source>
            <translation>%1 ×%2 (%3)%4</translation>
        </message>
        <message>
            <source>[not supported by Outpost]</source>
            <translation>[non pris en charge par Outpost]</translation>
        </message>
        <message>
            <source>tensors</source>
            <translation>tenseurs</translation>
        </message>
        <message>
            <source>context length</source>
            <translation>longueur de contexte</translation>
        </message>
        <message>
            <source>embedding</source>
            <translation>plongement</translation>
        </message>
        <message>
            <source>layers</source>
            <translation>couches</translation>
        </message>
        <message>
            <source>heads</source>
            <translation>têtes</translation>
        </message>
        <message>
            <source>KV heads</source>
            <translation>têtes KV</translation>
        </message>
        <message>
            <source>feed-forward</source>
            <translation>couche dense</translation>
        </message>
        <message>
            <source>dimensions %1, freq base %2</source>
            <translation>dimensions %1, fréquence de base %2</translation>
        </message>
        <message>
            <source>(default)</source>
            <translation>(par défaut)</translation>
        </message>
        <message>
            <source>, scaling %1 ×%2</source>
            <translation>, mise à l’échelle %1 ×%2</translation>
        </message>
        <message>
            <source>rope</source>
            <translation>rope</translation>
        </message>
        <message>
            <source>tokenizer</source>
            <translation>segmenteur</translation>
        </message>
        <message>
            <source>%1, %2 tokens</source>
            <translation>%1, %2 jetons</translation>
        </message>
        <message>
            <source>chat template</source>
            <translation>gabarit de clavardage</translation>
        </message>
        <message>
            <source>... (cut: the template is %1 characters long; --json prints it whole)</source>
            <translation>... (coupé : le gabarit compte %1 caractères; --json l’affiche en entier)</translation>
        </message>
        <message>
            <source>Tokenize a text with a model's tokenizer and print the token ids and the text of each token.</source>
            <translation>Segmenter un texte avec le segmenteur d’un modèle et afficher les identifiants et le texte de chaque jeton.</translation>
        </message>
        <message>
            <source>The .gguf model (or vocabulary-only) file.</source>
            <translation>Le fichier .gguf du modèle (ou de vocabulaire seul).</translation>
        </message>
        <message>
            <source>The text to tokenize (read from standard input when absent).</source>
            <translation>Le texte à segmenter (lu sur l’entrée standard s’il est absent).</translation>
        </message>
        <message>
            <source>Print {"ids": [...], "pieces": [...], "pieces_hex": [...]}.</source>
            <translation>Afficher {"ids": [...], "pieces": [...], "pieces_hex": [...]}.</translation>
        </message>
        <message>
            <source>Do not add the BOS/EOS tokens the model asks for.</source>
            <translation>Ne pas ajouter les jetons BOS/EOS que le modèle demande.</translation>
        </message>
        <message>
            <source>Recognise special tokens such as &lt;|eot_id|&gt; written in the text.</source>
            <translation>Reconnaître les jetons spéciaux comme &lt;|eot_id|&gt; écrits dans le texte.</translation>
        </message>
        <message>
            <source>outpost tokenize: give --model FILE and --text TEXT (see --help)</source>
            <translation>outpost tokenize : indiquez --model FICHIER et --text TEXTE (voyez --help)</translation>
        </message>
        <message>
            <source>outpost tokenize: cannot read standard input</source>
            <translation>outpost tokenize : impossible de lire l’entrée standard</translation>
        </message>
        <message>
            <source>outpost tokenize: %1</source>
            <translation>outpost tokenize : %1</translation>
        </message>
        <message>
            <source>Generate a continuation of a prompt with a GGUF model on the CPU.</source>
            <translation>Générer la suite d’une invite avec un modèle GGUF sur le processeur.</translation>
        </message>
        <message>
            <source>The .gguf model file.</source>
            <translation>Le fichier .gguf du modèle.</translation>
        </message>
        <message>
            <source>The prompt text.</source>
            <translation>Le texte de l’invite.</translation>
        </message>
        <message>
            <source>Generate at most N tokens (default 128).</source>
            <translation>Générer au plus N jetons (128 par défaut).</translation>
        </message>
        <message>
            <source>Temperature; 0 is greedy (default 0.8).</source>
            <translation>Température; 0 est glouton (0,8 par défaut).</translation>
        </message>
        <message>
            <source>Keep the K most likely tokens; 0 is off (default 40).</source>
            <translation>Garder les K jetons les plus probables; 0 désactive (40 par défaut).</translation>
        </message>
        <message>
            <source>Nucleus sampling mass; 1 is off (default 0.95).</source>
            <translation>Masse de l’échantillonnage par noyau; 1 désactive (0,95 par défaut).</translation>
        </message>
        <message>
            <source>Random seed (default 0).</source>
            <translation>Graine aléatoire (0 par défaut).</translation>
        </message>
        <message>
            <source>Threads; 0 is one per physical core (default).</source>
            <translation>Fils d’exécution; 0 en met un par cœur physique (par défaut).</translation>
        </message>
        <message>
            <source>Context length in tokens; 0 is the model's, at most 4096.</source>
            <translation>Longueur de contexte en jetons; 0 prend celle du modèle, 4096 au plus.</translation>
        </message>
        <message>
            <source>Treat the prompt as a user message and render it with the model's chat template.</source>
            <translation>Traiter l’invite comme un message d’utilisateur et la mettre en forme avec le gabarit de clavardage du modèle.</translation>
        </message>
        <message>
            <source>Print one JSON object: prompt_tokens, tokens, text, finish_reason, ttft_ms, prompt_tokens_per_s, tokens_per_s.</source>
            <translation>Afficher un objet JSON : prompt_tokens, tokens, text, finish_reason, ttft_ms, prompt_tokens_per_s, tokens_per_s.</translation>
        </message>
        <message>
            <source>outpost generate: give --model FILE and --prompt TEXT (see --help)</source>
            <translation>outpost generate : indiquez --model FICHIER et --prompt TEXTE (voyez --help)</translation>
        </message>
        <message>
            <source>outpost generate: --%1 expects a number, not '%2'</source>
            <translation>outpost generate : --%1 attend un nombre, pas « %2 »</translation>
        </message>
        <message>
            <source>outpost generate: %1</source>
            <translation>outpost generate : %1</translation>
        </message>
        <message>
            <source>[%1 prompt tokens, %2 generated (%3); first token %4 ms; prompt %5 tok/s, generation %6 tok/s]</source>
            <translation>[%1 jetons d’invite, %2 générés (%3); premier jeton %4 ms; invite %5 jetons/s, génération %6 jetons/s]</translation>
        </message>
        <message>
            <source>Serve a project's agents to WebSocket (Agents SDK) and HTTP clients until SIGINT or SIGTERM.</source>
            <translation>Servir les agents d’un projet aux clients WebSocket (Agents SDK) et HTTP jusqu’à SIGINT ou SIGTERM.</translation>
        </message>
        <message>
            <source>Address and port to listen on (default 127.0.0.1:8787; port 0 picks a free one).</source>
            <translation>Adresse et port d’écoute (127.0.0.1:8787 par défaut; le port 0 en choisit un libre).</translation>
        </message>
        <message>
            <source>File of SHA-256 hashes of the accepted bearer tokens, one per line (required off loopback).</source>
            <translation>Fichier des empreintes SHA-256 des jetons d’accès acceptés, une par ligne (obligatoire hors de la boucle locale).</translation>
        </message>
        <message>
            <source>Also accept WebSocket upgrades from this Origin (repeatable).</source>
            <translation>Accepter aussi les connexions WebSocket de cette origine (répétable).</translation>
        </message>
        <message>
            <source>outpost serve: give exactly one project folder</source>
            <translation>outpost serve : indiquez un seul dossier de projet</translation>
        </message>
        <message>
            <source>outpost serve: not serving %1: it has errors (see 'outpost validate')</source>
            <translation>outpost serve : %1 n’est pas servi : il a des erreurs (voyez « outpost validate »)</translation>
        </message>
        <message>
            <source>outpost serve: shutting down (finishing running events)</source>
            <translation>outpost serve : arrêt (fin des événements en cours)</translation>
        </message>
        <message>
            <source>outpost serve: listening on http://%1:%2 (agents: %3)</source>
            <translation>outpost serve : à l’écoute sur http://%1:%2 (agents : %3)</translation>
        </message>
        <message>
            <source>outpost serve: stopped</source>
            <translation>outpost serve : arrêté</translation>
        </message>
        <message>
            <source>give a project folder and an index name</source>
            <translation>indiquez un dossier de projet et un nom d’index</translation>
        </message>
        <message>
            <source>%1: no such project folder</source>
            <translation>%1 : dossier de projet introuvable</translation>
        </message>
        <message>
            <source>Vector dimension (1..4096).</source>
            <translation>Dimension des vecteurs (1..4096).</translation>
        </message>
        <message>
            <source>cosine, euclidean or dot-product (default cosine).</source>
            <translation>cosine, euclidean ou dot-product (cosine par défaut).</translation>
        </message>
        <message>
            <source>HNSW links per node (default 16).</source>
            <translation>Liens HNSW par nœud (16 par défaut).</translation>
        </message>
        <message>
            <source>HNSW build candidate list (default 200).</source>
            <translation>Liste de candidats HNSW à la construction (200 par défaut).</translation>
        </message>
        <message>
            <source>HNSW query candidate list (default 128).</source>
            <translation>Liste de candidats HNSW à la requête (128 par défaut).</translation>
        </message>
        <message>
            <source>--dimensions D is required (1..4096)</source>
            <translation>--dimensions D est obligatoire (1..4096)</translation>
        </message>
        <message>
            <source>unknown metric '%1' (cosine, euclidean, dot-product)</source>
            <translation>métrique inconnue « %1 » (cosine, euclidean, dot-product)</translation>
        </message>
        <message>
            <source>--m, --ef-construction and --ef-search take whole numbers</source>
            <translation>--m, --ef-construction et --ef-search prennent des nombres entiers</translation>
        </message>
        <message>
            <source>Matches per query (1..100, default 10).</source>
            <translation>Résultats par requête (1..100, 10 par défaut).</translation>
        </message>
        <message>
            <source>Metadata filter as JSON.</source>
            <translation>Filtre de métadonnées en JSON.</translation>
        </message>
        <message>
            <source>Search only this namespace.</source>
            <translation>Chercher seulement dans cet espace de noms.</translation>
        </message>
        <message>
            <source>Include each match's metadata.</source>
            <translation>Inclure les métadonnées de chaque résultat.</translation>
        </message>
        <message>
            <source>Include each match's vector.</source>
            <translation>Inclure le vecteur de chaque résultat.</translation>
        </message>
        <message>
            <source>HNSW query candidate list (default: the index's).</source>
            <translation>Liste de candidats HNSW à la requête (par défaut : celle de l’index).</translation>
        </message>
        <message>
            <source>--top-k must be a whole number in 1..100</source>
            <translation>--top-k doit être un nombre entier entre 1 et 100</translation>
        </message>
        <message>
            <source>--ef takes a whole number</source>
            <translation>--ef prend un nombre entier</translation>
        </message>
        <message>
            <source>--filter: %1</source>
            <translation>--filter : %1</translation>
        </message>
        <message>
            <source>Delete the whole index instead of some records.</source>
            <translation>Supprimer tout l’index plutôt que quelques enregistrements.</translation>
        </message>
        <message>
            <source>give either record ids or --all</source>
            <translation>indiquez des identifiants d’enregistrements ou --all</translation>
        </message>
        <message>
            <source>no memory index named '%1'</source>
            <translation>aucun index de mémoire nommé « %1 »</translation>
        </message>
        <message>
            <source>give the ids of the records to delete, or --all to delete the index</source>
            <translation>indiquez les identifiants des enregistrements à supprimer, ou --all pour supprimer l’index</translation>
        </message>
        <message>
            <source>give a project folder</source>
            <translation>indiquez un dossier de projet</translation>
        </message>
        <message>
            <source>Usage: outpost memory SUBCOMMAND ...</source>
            <translation>Utilisation : outpost memory SOUS-COMMANDE ...</translation>
        </message>
        <message>
            <source>unknown subcommand '%1'</source>
            <translation>sous-commande inconnue « %1 »</translation>
        </message>
        <message>
            <source>Stop when the text contains TEXT (may be repeated).</source>
            <translation>Arrêter quand le texte contient TEXTE (répétable).</translation>
        </message>
        <message>
            <source>Constrain the output to one JSON value matching the JSON Schema in FILE.</source>
            <translation>Contraindre la sortie à une valeur JSON conforme au schéma JSON de FICHIER.</translation>
        </message>
        <message>
            <source>KV cache type: f16 (default), q8_0 or f32.</source>
            <translation>Type du cache KV : f16 (par défaut), q8_0 ou f32.</translation>
        </message>
        <message>
            <source>KV cache memory in MiB; 0 sizes it from the context (default).</source>
            <translation>Mémoire du cache KV en Mio; 0 la calcule d’après le contexte (par défaut).</translation>
        </message>
        <message>
            <source>outpost generate: --kv-type must be f16, q8_0 or f32, not '%1'</source>
            <translation>outpost generate : --kv-type doit valoir f16, q8_0 ou f32, pas « %1 »</translation>
        </message>
        <message>
            <source>outpost generate: cannot read the JSON schema %1: %2</source>
            <translation>outpost generate : impossible de lire le schéma JSON %1 : %2</translation>
        </message>
        <message>
            <source>outpost generate: -n, --threads, --ctx and --kv-mib must not be negative</source>
            <translation>outpost generate : -n, --threads, --ctx et --kv-mib ne doivent pas être négatifs</translation>
        </message>
        <message>
            <source>GGUF model for llm nodes without an endpoint and for the OpenAI-compatible /v1/ routes.</source>
            <translation>Modèle GGUF pour les nœuds llm sans service distant et pour les routes /v1/ compatibles OpenAI.</translation>
        </message>
        <message>
            <source>What a chat message does while a reply runs: queue (default), latest, merge, drop or debounce.</source>
            <translation>Ce que fait un message de clavardage pendant qu’une réponse s’exécute : queue (par défaut), latest, merge, drop ou debounce.</translation>
        </message>
        <message>
            <source>Keep at most this many chat messages per instance (0: all).</source>
            <translation>Garder au plus ce nombre de messages de clavardage par instance (0 : tous).</translation>
        </message>
        <message>
            <source>A host the fetch tool may reach (repeatable; *.example.com for subdomains).</source>
            <translation>Un hôte que l’outil fetch peut joindre (répétable; *.example.com pour les sous-domaines).</translation>
        </message>
        <message>
            <source>outpost serve: --chat-concurrency must be queue, latest, merge, drop or debounce</source>
            <translation>outpost serve : --chat-concurrency doit valoir queue, latest, merge, drop ou debounce</translation>
        </message>
        <message>
            <source>outpost serve: --max-persisted-messages must be a whole number</source>
            <translation>outpost serve : --max-persisted-messages doit être un nombre entier</translation>
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
        <message>
            <source>unknown node type "%1"</source>
            <translation>type de nœud inconnu « %1 »</translation>
        </message>
        <message>
            <source>a node cannot be connected to itself</source>
            <translation>un nœud ne peut pas être relié à lui-même</translation>
        </message>
        <message>
            <source>"%1.%2" is already connected to "%3.%4"</source>
            <translation>« %1.%2 » est déjà relié à « %3.%4 »</translation>
        </message>
        <message>
            <source>connecting "%1" to "%2" would make a cycle</source>
            <translation>relier « %1 » à « %2 » créerait un cycle</translation>
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
        <message>
            <source>not valid JSON: nested deeper than %1 levels</source>
            <translation>JSON non valide : imbriqué sur plus de %1 niveaux</translation>
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
        <message>
            <source>"%1" is not a valid project name: use a letter, then letters, digits, "_" or "-" (at most 64)</source>
            <translation>« %1 » n’est pas un nom de projet valide : utilisez une lettre, puis des lettres, des chiffres, « _ » ou « - » (64 au plus)</translation>
        </message>
        <message>
            <source>the new project cannot be opened</source>
            <translation>le nouveau projet ne peut pas être ouvert</translation>
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
        <name>outpost::ui::AlarmEditor</name>
        <message>
            <source>The payload is not valid JSON: %1</source>
            <translation>La charge utile n’est pas du JSON valide : %1</translation>
        </message>
        <message>
            <source>Name the callback the actor should run.</source>
            <translation>Nommez le rappel que l’acteur doit exécuter.</translation>
        </message>
        <message>
            <source>This expression never fires.</source>
            <translation>Cette expression ne se déclenche jamais.</translation>
        </message>
        <message>
            <source>(in the past: fires at once)</source>
            <translation>(dans le passé : se déclenche aussitôt)</translation>
        </message>
        <message>
            <source>new</source>
            <translation>nouveau</translation>
        </message>
        <message>
            <source>Cannot read the schedules: %1</source>
            <translation>Impossible de lire les planifications : %1</translation>
        </message>
        <message>
            <source>The schedule was not added: %1</source>
            <translation>La planification n’a pas été ajoutée : %1</translation>
        </message>
        <message>
            <source>Added schedule %1.</source>
            <translation>Planification %1 ajoutée.</translation>
        </message>
        <message>
            <source>The schedule was not cancelled: %1</source>
            <translation>La planification n’a pas été annulée : %1</translation>
        </message>
        <message>
            <source>Cancelled schedule %1.</source>
            <translation>Planification %1 annulée.</translation>
        </message>
        <message>
            <source>Schedule %1 had already fired or been cancelled.</source>
            <translation>La planification %1 s’était déjà déclenchée ou avait été annulée.</translation>
        </message>
        <message>
            <source>Schedules of &lt;b&gt;%1&lt;/b&gt;</source>
            <translation>Planifications de &lt;b&gt;%1&lt;/b&gt;</translation>
        </message>
        <message>
            <source>No instance selected</source>
            <translation>Aucune instance choisie</translation>
        </message>
        <message>
            <source>New schedule</source>
            <translation>Nouvelle planification</translation>
        </message>
        <message>
            <source>Fires:</source>
            <translation>Déclenchement :</translation>
        </message>
        <message>
            <source>After a delay</source>
            <translation>Après un délai</translation>
        </message>
        <message>
            <source>At a date</source>
            <translation>À une date</translation>
        </message>
        <message>
            <source>Repeatedly (cron)</source>
            <translation>À répétition (cron)</translation>
        </message>
        <message>
            <source>When:</source>
            <translation>Quand :</translation>
        </message>
        <message>
            <source>seconds</source>
            <translation>secondes</translation>
        </message>
        <message>
            <source>minutes</source>
            <translation>minutes</translation>
        </message>
        <message>
            <source>hours</source>
            <translation>heures</translation>
        </message>
        <message>
            <source>days</source>
            <translation>jours</translation>
        </message>
        <message>
            <source>minute hour day-of-month month day-of-week, e.g. "0 9 * * mon-fri"</source>
            <translation>minute heure jour-du-mois mois jour-de-la-semaine, p. ex. « 0 9 * * mon-fri »</translation>
        </message>
        <message>
            <source>Local time</source>
            <translation>Heure locale</translation>
        </message>
        <message>
            <source>UTC</source>
            <translation>UTC</translation>
        </message>
        <message>
            <source>Callback:</source>
            <translation>Rappel :</translation>
        </message>
        <message>
            <source>the actor's callback name</source>
            <translation>le nom du rappel de l’acteur</translation>
        </message>
        <message>
            <source>Payload:</source>
            <translation>Charge utile :</translation>
        </message>
        <message>
            <source>JSON, optional</source>
            <translation>JSON, facultatif</translation>
        </message>
        <message>
            <source>Next fires:</source>
            <translation>Prochains déclenchements :</translation>
        </message>
        <message>
            <source>&amp;Add</source>
            <translation>&amp;Ajouter</translation>
        </message>
        <message>
            <source>&amp;Cancel Schedule</source>
            <translation>A&amp;nnuler la planification</translation>
        </message>
        <message>
            <source>Re&amp;fresh</source>
            <translation>Actu&amp;aliser</translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::ChatClient</name>
        <message>
            <source>no project is open</source>
            <translation>aucun projet n’est ouvert</translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::ChatDelegate</name>
        <message>
            <source>awaiting approval</source>
            <translation>en attente d’approbation</translation>
        </message>
        <message>
            <source>preparing</source>
            <translation>en préparation</translation>
        </message>
        <message>
            <source>running</source>
            <translation>en cours</translation>
        </message>
        <message>
            <source>result</source>
            <translation>résultat</translation>
        </message>
        <message>
            <source>denied</source>
            <translation>refusé</translation>
        </message>
        <message>
            <source>error</source>
            <translation>erreur</translation>
        </message>
        <message>
            <source>TTFT %1 ms</source>
            <translation>TTFT %1 ms</translation>
        </message>
        <message>
            <source>%1 tok/s</source>
            <translation>%1 jetons/s</translation>
        </message>
        <message>
            <source>%1 tokens</source>
            <translation>%1 jetons</translation>
        </message>
        <message>
            <source>You</source>
            <translation>Vous</translation>
        </message>
        <message>
            <source>Assistant</source>
            <translation>Assistant</translation>
        </message>
        <message>
            <source>writing…</source>
            <translation>rédaction…</translation>
        </message>
        <message>
            <source>Tool: %1</source>
            <translation>Outil : %1</translation>
        </message>
        <message>
            <source>Arguments</source>
            <translation>Arguments</translation>
        </message>
        <message>
            <source>Result</source>
            <translation>Résultat</translation>
        </message>
        <message>
            <source>Error</source>
            <translation>Erreur</translation>
        </message>
        <message>
            <source>The call was denied.</source>
            <translation>L’appel a été refusé.</translation>
        </message>
        <message>
            <source>Approve</source>
            <translation>Approuver</translation>
        </message>
        <message>
            <source>Deny</source>
            <translation>Refuser</translation>
        </message>
        <message>
            <source>Copy</source>
            <translation>Copier</translation>
        </message>
        <message>
            <source>Edit</source>
            <translation>Modifier</translation>
        </message>
        <message>
            <source>Regenerate</source>
            <translation>Régénérer</translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::ChatPanel</name>
        <message>
            <source>Stopped.</source>
            <translation>Arrêté.</translation>
        </message>
        <message>
            <source>The agent was busy: the message was not answered.</source>
            <translation>L’agent était occupé : le message est resté sans réponse.</translation>
        </message>
        <message>
            <source>Copy</source>
            <translation>Copier</translation>
        </message>
        <message>
            <source>Edit and Resend</source>
            <translation>Modifier et renvoyer</translation>
        </message>
        <message>
            <source>Regenerate</source>
            <translation>Régénérer</translation>
        </message>
        <message>
            <source>Agent:</source>
            <translation>Agent :</translation>
        </message>
        <message>
            <source>Instance:</source>
            <translation>Instance :</translation>
        </message>
        <message>
            <source>instance name</source>
            <translation>nom de l’instance</translation>
        </message>
        <message>
            <source>Open</source>
            <translation>Ouvrir</translation>
        </message>
        <message>
            <source>Resend</source>
            <translation>Renvoyer</translation>
        </message>
        <message>
            <source>Send</source>
            <translation>Envoyer</translation>
        </message>
        <message>
            <source>Send the message (Enter; Shift+Enter for a new line)</source>
            <translation>Envoyer le message (Entrée; Maj+Entrée pour une nouvelle ligne)</translation>
        </message>
        <message>
            <source>Stop</source>
            <translation>Arrêter</translation>
        </message>
        <message>
            <source>Stop the reply (Esc)</source>
            <translation>Arrêter la réponse (Échap)</translation>
        </message>
        <message>
            <source>Answer the last message again</source>
            <translation>Répondre de nouveau au dernier message</translation>
        </message>
        <message>
            <source>Edit the message, then Resend (Esc to cancel)</source>
            <translation>Modifiez le message, puis Renvoyer (Échap pour annuler)</translation>
        </message>
        <message>
            <source>Message the agent (Enter to send, Shift+Enter for a new line)</source>
            <translation>Écrire à l’agent (Entrée pour envoyer, Maj+Entrée pour une nouvelle ligne)</translation>
        </message>
        <message>
            <source>This project has no agent without errors to chat with.</source>
            <translation>Ce projet n’a aucun agent sans erreur avec qui clavarder.</translation>
        </message>
        <message>
            <source>Open a project to chat with its agents.</source>
            <translation>Ouvrez un projet pour clavarder avec ses agents.</translation>
        </message>
        <message>
            <source>No model is loaded: agents whose llm nodes have no endpoint cannot answer (load one in Models).</source>
            <translation>Aucun modèle n’est chargé : les agents dont les nœuds llm n’ont pas de point de terminaison ne peuvent pas répondre (chargez-en un dans Modèles).</translation>
        </message>
        <message>
            <source>Copied.</source>
            <translation>Copié.</translation>
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
        <name>outpost::ui::GraphDocument</name>
        <message>
            <source>Add %1</source>
            <translation>Ajouter %1</translation>
        </message>
        <message>
            <source>Disconnect</source>
            <translation>Déconnecter</translation>
        </message>
        <message numerus="yes">
            <source>Delete %n node(s)</source>
            <translation>
                <numerusform>Supprimer %n nœud</numerusform>
                <numerusform>Supprimer %n nœuds</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Move %n node(s)</source>
            <translation>
                <numerusform>Déplacer %n nœud</numerusform>
                <numerusform>Déplacer %n nœuds</numerusform>
            </translation>
        </message>
        <message>
            <source>Connect %1 to %2</source>
            <translation>Relier %1 à %2</translation>
        </message>
        <message>
            <source>Change %1 of %2</source>
            <translation>Modifier %1 de %2</translation>
        </message>
        <message>
            <source>no node has the id "%1"</source>
            <translation>aucun nœud n’a l’identifiant « %1 »</translation>
        </message>
        <message>
            <source>"%1" is not a valid node id: use a letter or "_", then letters, digits, "_", "." or "-" (at most 64)</source>
            <translation>« %1 » n’est pas un identifiant de nœud valide : utilisez une lettre ou « _ », puis des lettres, des chiffres, « _ », « . » ou « - » (64 au plus)</translation>
        </message>
        <message>
            <source>the id "%1" is already used</source>
            <translation>l’identifiant « %1 » est déjà utilisé</translation>
        </message>
        <message>
            <source>Rename %1 to %2</source>
            <translation>Renommer %1 en %2</translation>
        </message>
        <message>
            <source>Arrange nodes</source>
            <translation>Disposer les nœuds</translation>
        </message>
        <message>
            <source>the clipboard does not hold Outpost nodes</source>
            <translation>le presse-papiers ne contient pas de nœuds Outpost</translation>
        </message>
        <message>
            <source>clipboard</source>
            <translation>presse-papiers</translation>
        </message>
        <message>
            <source>the clipboard holds no nodes</source>
            <translation>le presse-papiers ne contient aucun nœud</translation>
        </message>
        <message>
            <source>unknown node type "%1"</source>
            <translation>type de nœud inconnu « %1 »</translation>
        </message>
        <message numerus="yes">
            <source>Paste %n node(s)</source>
            <translation>
                <numerusform>Coller %n nœud</numerusform>
                <numerusform>Coller %n nœuds</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::GraphEditor</name>
        <message>
            <source>%1 %</source>
            <translation>%1 %</translation>
        </message>
        <message>
            <source>Undo</source>
            <translation>Annuler</translation>
        </message>
        <message>
            <source>Undo: %1</source>
            <translation>Annuler : %1</translation>
        </message>
        <message>
            <source>Redo</source>
            <translation>Rétablir</translation>
        </message>
        <message>
            <source>Redo: %1</source>
            <translation>Rétablir : %1</translation>
        </message>
        <message>
            <source>Cut</source>
            <translation>Couper</translation>
        </message>
        <message>
            <source>Copy</source>
            <translation>Copier</translation>
        </message>
        <message>
            <source>Paste</source>
            <translation>Coller</translation>
        </message>
        <message>
            <source>Delete</source>
            <translation>Supprimer</translation>
        </message>
        <message>
            <source>Select All</source>
            <translation>Tout sélectionner</translation>
        </message>
        <message>
            <source>Zoom In</source>
            <translation>Zoom avant</translation>
        </message>
        <message>
            <source>Zoom Out</source>
            <translation>Zoom arrière</translation>
        </message>
        <message>
            <source>Actual Size</source>
            <translation>Taille réelle</translation>
        </message>
        <message>
            <source>Fit to View</source>
            <translation>Ajuster à la vue</translation>
        </message>
        <message>
            <source>Arrange</source>
            <translation>Disposer</translation>
        </message>
        <message>
            <source>Lay the nodes out left to right, following the edges</source>
            <translation>Disposer les nœuds de gauche à droite, en suivant les liens</translation>
        </message>
        <message>
            <source>Save</source>
            <translation>Enregistrer</translation>
        </message>
        <message>
            <source>Drag a node onto the canvas, or double-click it</source>
            <translation>Glissez un nœud sur le canevas, ou double-cliquez dessus</translation>
        </message>
        <message>
            <source>Saved %1</source>
            <translation>%1 enregistré</translation>
        </message>
        <message>
            <source>Not saved: %1</source>
            <translation>Non enregistré : %1</translation>
        </message>
        <message>
            <source>No agent open</source>
            <translation>Aucun agent ouvert</translation>
        </message>
        <message numerus="yes">
            <source>%n node(s), %1 edge(s) · no problems</source>
            <translation>
                <numerusform>%n nœud, %1 lien(s) · aucun problème</numerusform>
                <numerusform>%n nœuds, %1 lien(s) · aucun problème</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n problem(s): %1</source>
            <translation>
                <numerusform>%n problème : %1</numerusform>
                <numerusform>%n problèmes : %1</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Copied %n node(s)</source>
            <translation>
                <numerusform>%n nœud copié</numerusform>
                <numerusform>%n nœuds copiés</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Cut %n node(s)</source>
            <translation>
                <numerusform>Couper %n nœud</numerusform>
                <numerusform>Couper %n nœuds</numerusform>
            </translation>
        </message>
        <message>
            <source>Nothing pasted: %1</source>
            <translation>Rien n’a été collé : %1</translation>
        </message>
        <message>
            <source>Unknown node type "%1"</source>
            <translation>Type de nœud inconnu « %1 »</translation>
        </message>
        <message>
            <source>Add node</source>
            <translation>Ajouter un nœud</translation>
        </message>
        <message>
            <source>Run</source>
            <translation>Exécuter</translation>
        </message>
        <message>
            <source>Send a test message to the agent and trace each node as it runs (%1)</source>
            <translation>Envoyer un message d’essai à l’agent et tracer chaque nœud pendant son exécution (%1)</translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::GraphScene</name>
        <message>
            <source>output</source>
            <translation>sortie</translation>
        </message>
        <message>
            <source>input</source>
            <translation>entrée</translation>
        </message>
        <message>
            <source>%1 %2 "%3"%4</source>
            <translation>%2 %1 « %3 »%4</translation>
        </message>
        <message>
            <source> (required)</source>
            <translation> (obligatoire)</translation>
        </message>
        <message>
            <source>Connect an input to an output, not two outputs</source>
            <translation>Reliez une entrée à une sortie, pas deux sorties</translation>
        </message>
        <message>
            <source>Connect an output to an input, not two inputs</source>
            <translation>Reliez une sortie à une entrée, pas deux entrées</translation>
        </message>
        <message>
            <source>Not connected: %1</source>
            <translation>Non relié : %1</translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::InspectDatabase</name>
        <message>
            <source>%1: no such database file</source>
            <translation>%1 : fichier de base de données introuvable</translation>
        </message>
        <message>
            <source>&lt;blob, %1&gt;</source>
            <translation>&lt;blob, %1&gt;</translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::KvBlockMap</name>
        <message>
            <source>No KV cache</source>
            <translation>Aucun cache KV</translation>
        </message>
        <message>
            <source>KV blocks: one cell per block, coloured by the sequence holding it; prefix blocks shared by several sequences in the text colour, cached blocks in grey, free blocks empty</source>
            <translation>Blocs KV : une case par bloc, colorée selon la séquence qui le détient; blocs de préfixe partagés par plusieurs séquences dans la couleur du texte, blocs en cache en gris, blocs libres vides</translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::KvCacheView</name>
        <message>
            <source>seconds</source>
            <translation>secondes</translation>
        </message>
        <message>
            <source>KV blocks</source>
            <translation>Blocs KV</translation>
        </message>
        <message>
            <source>blocks</source>
            <translation>blocs</translation>
        </message>
        <message>
            <source>Sequences</source>
            <translation>Séquences</translation>
        </message>
        <message>
            <source>sequences</source>
            <translation>séquences</translation>
        </message>
        <message>
            <source>Generation speed</source>
            <translation>Vitesse de génération</translation>
        </message>
        <message>
            <source>tokens/s</source>
            <translation>jetons/s</translation>
        </message>
        <message>
            <source>Prefix-cache hit rate</source>
            <translation>Taux de succès du cache de préfixes</translation>
        </message>
        <message>
            <source>%</source>
            <translation>%</translation>
        </message>
        <message>
            <source>Time to first token</source>
            <translation>Délai avant le premier jeton</translation>
        </message>
        <message>
            <source>requests</source>
            <translation>requêtes</translation>
        </message>
        <message>
            <source>ms</source>
            <translation>ms</translation>
        </message>
        <message>
            <source>used</source>
            <translation>utilisés</translation>
        </message>
        <message>
            <source>cached</source>
            <translation>en cache</translation>
        </message>
        <message>
            <source>free</source>
            <translation>libres</translation>
        </message>
        <message>
            <source>running</source>
            <translation>en cours</translation>
        </message>
        <message>
            <source>waiting</source>
            <translation>en attente</translation>
        </message>
        <message>
            <source>batch size</source>
            <translation>taille du lot</translation>
        </message>
        <message>
            <source>hit rate</source>
            <translation>taux de succès</translation>
        </message>
        <message>
            <source>TTFT</source>
            <translation>DPJ</translation>
        </message>
        <message>
            <source>Block map</source>
            <translation>Carte des blocs</translation>
        </message>
        <message>
            <source>No samples yet</source>
            <translation>Aucun échantillon pour l’instant</translation>
        </message>
        <message>
            <source>%1 blocks of %2 tokens (%3 MiB) · %4 used, %5 cached, %6 free · %7 running, %8 waiting · prefix hits %9 / misses %10 · preemptions %11 · evictions %12 · mean TTFT %13 ms</source>
            <translation>%1 blocs de %2 jetons (%3 Mio) · %4 utilisés, %5 en cache, %6 libres · %7 en cours, %8 en attente · succès de préfixe %9 / échecs %10 · préemptions %11 · évictions %12 · DPJ moyen %13 ms</translation>
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
        <message>
            <source>&amp;Save Agent</source>
            <translation>&amp;Enregistrer l’agent</translation>
        </message>
        <message>
            <source>&amp;Edit</source>
            <translation>É&amp;dition</translation>
        </message>
        <message>
            <source>Outline</source>
            <translation>Plan</translation>
        </message>
        <message>
            <source>Unsaved changes</source>
            <translation>Modifications non enregistrées</translation>
        </message>
        <message>
            <source>The agent "%1" has changes that are not saved.</source>
            <translation>L’agent « %1 » a des modifications qui ne sont pas enregistrées.</translation>
        </message>
        <message>
            <source>Cannot save agent</source>
            <translation>Impossible d’enregistrer l’agent</translation>
        </message>
        <message>
            <source>State</source>
            <translation>État</translation>
        </message>
        <message>
            <source>Alarms</source>
            <translation>Alarmes</translation>
        </message>
        <message>
            <source>Models</source>
            <translation>Modèles</translation>
        </message>
        <message>
            <source>The agents of this project cannot run: %1</source>
            <translation>Les agents de ce projet ne peuvent pas s’exécuter : %1</translation>
        </message>
        <message>
            <source>Cannot load model</source>
            <translation>Impossible de charger le modèle</translation>
        </message>
        <message>
            <source>Outpost could not load %1.</source>
            <translation>Outpost n’a pas pu charger %1.</translation>
        </message>
        <message>
            <source>Loading %1…</source>
            <translation>Chargement de %1…</translation>
        </message>
        <message>
            <source>Model: %1</source>
            <translation>Modèle : %1</translation>
        </message>
        <message>
            <source>No model loaded</source>
            <translation>Aucun modèle chargé</translation>
        </message>
        <message>
            <source>&amp;New Project…</source>
            <translation>&amp;Nouveau projet…</translation>
        </message>
        <message>
            <source>New Project</source>
            <translation>Nouveau projet</translation>
        </message>
        <message>
            <source>my-project</source>
            <translation>mon-projet</translation>
        </message>
        <message>
            <source>Cannot create project</source>
            <translation>Impossible de créer le projet</translation>
        </message>
        <message>
            <source>Outpost could not create a project in %1.</source>
            <translation>Outpost n’a pas pu créer de projet dans %1.</translation>
        </message>
        <message>
            <source>KV Cache</source>
            <translation>Cache KV</translation>
        </message>
        <message>
            <source>&amp;Find Agent…</source>
            <translation>&amp;Trouver un agent…</translation>
        </message>
        <message>
            <source>Find agent (%1)</source>
            <translation>Trouver un agent (%1)</translation>
        </message>
        <message>
            <source>F&amp;ull Screen</source>
            <translation>&amp;Plein écran</translation>
        </message>
        <message>
            <source>&amp;Theme</source>
            <translation>&amp;Thème</translation>
        </message>
        <message>
            <source>&amp;System</source>
            <translation>&amp;Système</translation>
        </message>
        <message>
            <source>&amp;Light</source>
            <translation>&amp;Clair</translation>
        </message>
        <message>
            <source>&amp;Dark</source>
            <translation>&amp;Sombre</translation>
        </message>
        <message>
            <source>&amp;Keyboard Shortcuts</source>
            <translation>&amp;Raccourcis clavier</translation>
        </message>
        <message>
            <source>Chat</source>
            <translation>Clavardage</translation>
        </message>
        <message>
            <source>KV-cache use and generation speed of the loaded model; click to show the KV Cache panel</source>
            <translation>Utilisation du cache KV et vitesse de génération du modèle chargé; cliquez pour afficher le panneau Cache KV</translation>
        </message>
        <message>
            <source>KV %1/%2 blocks (%3%) · %4 MiB · %5 tokens/s</source>
            <translation>KV %1/%2 blocs (%3 %) · %4 Mio · %5 jetons/s</translation>
        </message>
        <message>
            <source>No agent matches "%1"</source>
            <translation>Aucun agent ne correspond à « %1 »</translation>
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
    <context>
        <name>outpost::ui::ModelInfo</name>
        <message>
            <source>%1: split.count is %2 but the file name does not follow the name-00001-of-%3.gguf pattern</source>
            <translation>%1 : split.count vaut %2, mais le nom du fichier ne suit pas le modèle nom-00001-of-%3.gguf</translation>
        </message>
        <message>
            <source>%1: part %2 of %3 is missing</source>
            <translation>%1 : la partie %2 sur %3 est absente</translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::ModelListModel</name>
        <message>
            <source>Unreadable</source>
            <translation>Illisible</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Nom</translation>
        </message>
        <message>
            <source>Architecture</source>
            <translation>Architecture</translation>
        </message>
        <message>
            <source>Parameters</source>
            <translation>Paramètres</translation>
        </message>
        <message>
            <source>Quantisation</source>
            <translation>Quantification</translation>
        </message>
        <message>
            <source>Context</source>
            <translation>Contexte</translation>
        </message>
        <message>
            <source>Size</source>
            <translation>Taille</translation>
        </message>
        <message>
            <source>Source</source>
            <translation>Source</translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::ModelManager</name>
        <message>
            <source>Searching for models…</source>
            <translation>Recherche de modèles…</translation>
        </message>
        <message>
            <source>Searching… %1</source>
            <translation>Recherche… %1</translation>
        </message>
        <message numerus="yes">
            <source>Reading %1 of %n file(s)…</source>
            <translation>
                <numerusform>Lecture de %1 sur %n fichier…</numerusform>
                <numerusform>Lecture de %1 sur %n fichiers…</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Scan cancelled: %n model(s) listed</source>
            <translation>
                <numerusform>Recherche annulée : %n modèle listé</numerusform>
                <numerusform>Recherche annulée : %n modèles listés</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n model(s) found</source>
            <translation>
                <numerusform>%n modèle trouvé</numerusform>
                <numerusform>%n modèles trouvés</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n unreadable</source>
            <translation>
                <numerusform>%n illisible</numerusform>
                <numerusform>%n illisibles</numerusform>
            </translation>
        </message>
        <message>
            <source>%1 tokens</source>
            <translation>%1 jetons</translation>
        </message>
        <message>
            <source>No model selected</source>
            <translation>Aucun modèle choisi</translation>
        </message>
        <message>
            <source>Add Model Folder</source>
            <translation>Ajouter un dossier de modèles</translation>
        </message>
        <message>
            <source>Filter by name, architecture, quantisation…</source>
            <translation>Filtrer par nom, architecture, quantification…</translation>
        </message>
        <message>
            <source>&amp;Rescan</source>
            <translation>&amp;Rechercher de nouveau</translation>
        </message>
        <message>
            <source>Search the model folders again</source>
            <translation>Chercher de nouveau dans les dossiers de modèles</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Annuler</translation>
        </message>
        <message>
            <source>Stop the scan; models found so far stay listed</source>
            <translation>Arrêter la recherche; les modèles déjà trouvés restent listés</translation>
        </message>
        <message>
            <source>File:</source>
            <translation>Fichier :</translation>
        </message>
        <message>
            <source>Architecture:</source>
            <translation>Architecture :</translation>
        </message>
        <message>
            <source>Parameters:</source>
            <translation>Paramètres :</translation>
        </message>
        <message>
            <source>Quantisation:</source>
            <translation>Quantification :</translation>
        </message>
        <message>
            <source>Context length:</source>
            <translation>Longueur de contexte :</translation>
        </message>
        <message>
            <source>Size on disk:</source>
            <translation>Taille sur disque :</translation>
        </message>
        <message>
            <source>Tensors:</source>
            <translation>Tenseurs :</translation>
        </message>
        <message>
            <source>Problem:</source>
            <translation>Problème :</translation>
        </message>
        <message>
            <source>&amp;Load</source>
            <translation>&amp;Charger</translation>
        </message>
        <message>
            <source>&amp;Unload</source>
            <translation>&amp;Décharger</translation>
        </message>
        <message>
            <source>Model folders</source>
            <translation>Dossiers de modèles</translation>
        </message>
        <message>
            <source>Add…</source>
            <translation>Ajouter…</translation>
        </message>
        <message>
            <source>Remove</source>
            <translation>Retirer</translation>
        </message>
        <message>
            <source>Also search the folders of llama.cpp, Ollama, LM Studio and Hugging Face</source>
            <translation>Chercher aussi dans les dossiers de llama.cpp, Ollama, LM Studio et Hugging Face</translation>
        </message>
        <message>
            <source>Engine</source>
            <translation>Moteur</translation>
        </message>
        <message>
            <source>Threads:</source>
            <translation>Fils d’exécution :</translation>
        </message>
        <message>
            <source>Automatic</source>
            <translation>Automatique</translation>
        </message>
        <message>
            <source>KV cache budget:</source>
            <translation>Budget du cache KV :</translation>
        </message>
        <message>
            <source>Model default</source>
            <translation>Valeur du modèle</translation>
        </message>
        <message>
            <source> tokens</source>
            <translation> jetons</translation>
        </message>
        <message numerus="yes">
            <source>%n file(s)</source>
            <translation>
                <numerusform>%n fichier</numerusform>
                <numerusform>%n fichiers</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::NodePalette</name>
        <message>
            <source>Flow</source>
            <translation>Flux</translation>
        </message>
        <message>
            <source>Models</source>
            <translation>Modèles</translation>
        </message>
        <message>
            <source>Tools</source>
            <translation>Outils</translation>
        </message>
        <message>
            <source>Memory</source>
            <translation>Mémoire</translation>
        </message>
        <message>
            <source>State</source>
            <translation>État</translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::PropertyPanel</name>
        <message>
            <source>Select a node to edit its properties.</source>
            <translation>Sélectionnez un nœud pour modifier ses propriétés.</translation>
        </message>
        <message>
            <source>Unknown node type "%1".</source>
            <translation>Type de nœud inconnu « %1 ».</translation>
        </message>
        <message>
            <source>The node's id, unique in the graph; edges and the runtime refer to it.</source>
            <translation>L’identifiant du nœud, unique dans le graphe; les liens et l’environnement d’exécution y font référence.</translation>
        </message>
        <message>
            <source>Id</source>
            <translation>Identifiant</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>Type</translation>
        </message>
        <message>
            <source>"%1" must be a JSON object; the change was not applied</source>
            <translation>« %1 » doit être un objet JSON; la modification n’a pas été appliquée</translation>
        </message>
        <message>
            <source>Add</source>
            <translation>Ajouter</translation>
        </message>
        <message>
            <source>Remove</source>
            <translation>Retirer</translation>
        </message>
        <message>
            <source>item</source>
            <translation>élément</translation>
        </message>
        <message>
            <source>from %1 to %2</source>
            <translation>de %1 à %2</translation>
        </message>
        <message>
            <source>— required</source>
            <translation>— obligatoire</translation>
        </message>
        <message>
            <source>Reset to the default value</source>
            <translation>Revenir à la valeur par défaut</translation>
        </message>
        <message>
            <source>Not renamed: %1</source>
            <translation>Non renommé : %1</translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::ScheduleModel</name>
        <message>
            <source>Delay</source>
            <translation>Délai</translation>
        </message>
        <message>
            <source>Date</source>
            <translation>Date</translation>
        </message>
        <message>
            <source>Cron</source>
            <translation>Cron</translation>
        </message>
        <message>
            <source>Failed: %1</source>
            <translation>Échec : %1</translation>
        </message>
        <message>
            <source>Retry %1: %2</source>
            <translation>Nouvel essai %1 : %2</translation>
        </message>
        <message>
            <source>Pending</source>
            <translation>En attente</translation>
        </message>
        <message>
            <source>ID</source>
            <translation>ID</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>Genre</translation>
        </message>
        <message>
            <source>Next fire</source>
            <translation>Prochain déclenchement</translation>
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
            <source>Status</source>
            <translation>État</translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::ShortcutsDialog</name>
        <message>
            <source>Keyboard Shortcuts</source>
            <translation>Raccourcis clavier</translation>
        </message>
        <message>
            <source>Filter by action or key</source>
            <translation>Filtrer par action ou par touche</translation>
        </message>
        <message>
            <source>Action</source>
            <translation>Action</translation>
        </message>
        <message>
            <source>Shortcut</source>
            <translation>Raccourci</translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::SqlConsole</name>
        <message>
            <source>Switch on write mode?</source>
            <translation>Activer le mode écriture?</translation>
        </message>
        <message>
            <source>Statements run in the console will change this instance's database.</source>
            <translation>Les instructions exécutées dans la console modifieront la base de données de cette instance.</translation>
        </message>
        <message>
            <source>The agent may be running and may overwrite or depend on what you change. Changes cannot be undone.</source>
            <translation>L’agent peut être en cours d’exécution et peut écraser ce que vous modifiez ou en dépendre. Les modifications ne peuvent pas être annulées.</translation>
        </message>
        <message>
            <source>Allow Writes</source>
            <translation>Permettre l’écriture</translation>
        </message>
        <message>
            <source>Running…</source>
            <translation>Exécution…</translation>
        </message>
        <message numerus="yes">
            <source>%n row(s) changed</source>
            <translation>
                <numerusform>%n ligne modifiée</numerusform>
                <numerusform>%n lignes modifiées</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>First %n row(s) shown</source>
            <translation>
                <numerusform>Première ligne affichée</numerusform>
                <numerusform>%n premières lignes affichées</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n row(s)</source>
            <translation>
                <numerusform>%n ligne</numerusform>
                <numerusform>%n lignes</numerusform>
            </translation>
        </message>
        <message>
            <source>%1 ms</source>
            <translation>%1 ms</translation>
        </message>
        <message>
            <source>Writes allowed</source>
            <translation>Écriture permise</translation>
        </message>
        <message>
            <source>Read-only</source>
            <translation>Lecture seule</translation>
        </message>
        <message>
            <source>SELECT * FROM sqlite_schema;  (Ctrl+Enter runs)</source>
            <translation>SELECT * FROM sqlite_schema;  (Ctrl+Entrée exécute)</translation>
        </message>
        <message>
            <source>&amp;Run</source>
            <translation>E&amp;xécuter</translation>
        </message>
        <message>
            <source>&amp;Stop</source>
            <translation>&amp;Arrêter</translation>
        </message>
        <message>
            <source>Interrupt the running query</source>
            <translation>Interrompre la requête en cours</translation>
        </message>
        <message>
            <source>Allow writes</source>
            <translation>Permettre l’écriture</translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::SqlQueryWorker</name>
        <message>
            <source>%1: no such database file</source>
            <translation>%1 : fichier de base de données introuvable</translation>
        </message>
        <message>
            <source>Read-only mode: this statement would change the database. Switch on write mode to run it.</source>
            <translation>Mode lecture seule : cette instruction modifierait la base de données. Activez le mode écriture pour l’exécuter.</translation>
        </message>
        <message>
            <source>Query stopped.</source>
            <translation>Requête arrêtée.</translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::StateInspector</name>
        <message numerus="yes">
            <source>%n instance(s)</source>
            <translation>
                <numerusform>%n instance</numerusform>
                <numerusform>%n instances</numerusform>
            </translation>
        </message>
        <message>
            <source>No tables</source>
            <translation>Aucune table</translation>
        </message>
        <message>
            <source>%1 of %2 rows loaded · scroll down to load more</source>
            <translation>%1 lignes sur %2 chargées · défilez vers le bas pour en charger d’autres</translation>
        </message>
        <message>
            <source>This instance has no agent state (no cf_agents_state table).</source>
            <translation>Cette instance n’a pas d’état d’agent (pas de table cf_agents_state).</translation>
        </message>
        <message>
            <source>This instance has not saved any state yet (no row 'cf_state_row_id' in cf_agents_state).</source>
            <translation>Cette instance n’a encore enregistré aucun état (pas de ligne « cf_state_row_id » dans cf_agents_state).</translation>
        </message>
        <message>
            <source>The saved state is not valid JSON:</source>
            <translation>L’état enregistré n’est pas du JSON valide :</translation>
        </message>
        <message>
            <source>ID</source>
            <translation>ID</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>Genre</translation>
        </message>
        <message>
            <source>Next fire</source>
            <translation>Prochain déclenchement</translation>
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
            <source>Attempts</source>
            <translation>Essais</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>État</translation>
        </message>
        <message>
            <source>#</source>
            <translation>#</translation>
        </message>
        <message>
            <source>Next run</source>
            <translation>Prochaine exécution</translation>
        </message>
        <message>
            <source>Failed: %1</source>
            <translation>Échec : %1</translation>
        </message>
        <message>
            <source>Retrying: %1</source>
            <translation>Nouvel essai : %1</translation>
        </message>
        <message>
            <source>Pending</source>
            <translation>En attente</translation>
        </message>
        <message>
            <source>Schedules (%1)</source>
            <translation>Planifications (%1)</translation>
        </message>
        <message>
            <source>Queued jobs (%1)</source>
            <translation>Tâches en file (%1)</translation>
        </message>
        <message>
            <source>No project open</source>
            <translation>Aucun projet ouvert</translation>
        </message>
        <message>
            <source>No instance selected</source>
            <translation>Aucune instance choisie</translation>
        </message>
        <message>
            <source>&lt;b&gt;%1&lt;/b&gt; / %2 · %3 · updated %4</source>
            <translation>&lt;b&gt;%1&lt;/b&gt; / %2 · %3 · mis à jour %4</translation>
        </message>
        <message>
            <source>Instances</source>
            <translation>Instances</translation>
        </message>
        <message>
            <source>Re&amp;fresh</source>
            <translation>Actu&amp;aliser</translation>
        </message>
        <message>
            <source>Tables</source>
            <translation>Tables</translation>
        </message>
        <message>
            <source>Schema</source>
            <translation>Schéma</translation>
        </message>
        <message>
            <source>State</source>
            <translation>État</translation>
        </message>
        <message>
            <source>Schedules</source>
            <translation>Planifications</translation>
        </message>
        <message>
            <source>SQL Console</source>
            <translation>Console SQL</translation>
        </message>
        <message>
            <source>Kept by the Outpost runtime</source>
            <translation>Tenue par l’environnement d’exécution d’Outpost</translation>
        </message>
        <message numerus="yes">
            <source>%Ln row(s)</source>
            <translation>
                <numerusform>%Ln ligne</numerusform>
                <numerusform>%Ln lignes</numerusform>
            </translation>
        </message>
        <message>
            <source>%1 rows loaded · counting…</source>
            <translation>%1 lignes chargées · décompte en cours…</translation>
        </message>
        <message>
            <source>Run / node</source>
            <translation>Exécution / nœud</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>Type</translation>
        </message>
        <message>
            <source>Started</source>
            <translation>Début</translation>
        </message>
        <message>
            <source>Time (ms)</source>
            <translation>Temps (ms)</translation>
        </message>
        <message>
            <source>Tokens</source>
            <translation>Jetons</translation>
        </message>
        <message>
            <source>Error</source>
            <translation>Erreur</translation>
        </message>
        <message numerus="yes">
            <source>%n node(s)</source>
            <translation>
                <numerusform>%n nœud</numerusform>
                <numerusform>%n nœuds</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n error(s)</source>
            <translation>
                <numerusform>%n erreur</numerusform>
                <numerusform>%n erreurs</numerusform>
            </translation>
        </message>
        <message>
            <source>Select a node of the run to see its inputs and outputs.</source>
            <translation>Sélectionnez un nœud de l’exécution pour voir ses entrées et ses sorties.</translation>
        </message>
        <message>
            <source>Inputs</source>
            <translation>Entrées</translation>
        </message>
        <message>
            <source>Outputs</source>
            <translation>Sorties</translation>
        </message>
        <message>
            <source>Traces</source>
            <translation>Traces</translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::StudioChat</name>
        <message>
            <source>no agent class '%1' in this project (or it has errors)</source>
            <translation>aucune classe d’agent « %1 » dans ce projet (ou elle contient des erreurs)</translation>
        </message>
        <message>
            <source>the chat connection is closed</source>
            <translation>la connexion de clavardage est fermée</translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::TimelineStrip</name>
        <message>
            <source>now</source>
            <translation>maintenant</translation>
        </message>
        <message numerus="yes">
            <source>+%n later</source>
            <translation>
                <numerusform>+%n plus tard</numerusform>
                <numerusform>+%n plus tard</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>outpost::ui::TracePane</name>
        <message>
            <source>Stopped.</source>
            <translation>Arrêté.</translation>
        </message>
        <message>
            <source>Reply: %1</source>
            <translation>Réponse : %1</translation>
        </message>
        <message>
            <source>A test message for the agent</source>
            <translation>Un message d’essai pour l’agent</translation>
        </message>
        <message>
            <source>Run</source>
            <translation>Exécuter</translation>
        </message>
        <message>
            <source>Send the test message and trace each node as it runs (the graph as the project was loaded)</source>
            <translation>Envoyer le message d’essai et tracer chaque nœud pendant son exécution (le graphe tel que le projet a été chargé)</translation>
        </message>
        <message>
            <source>Stop</source>
            <translation>Arrêter</translation>
        </message>
        <message>
            <source>Node</source>
            <translation>Nœud</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>Type</translation>
        </message>
        <message>
            <source>Time (ms)</source>
            <translation>Temps (ms)</translation>
        </message>
        <message>
            <source>Tokens</source>
            <translation>Jetons</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>État</translation>
        </message>
        <message>
            <source>Open a project whose agent has no errors to run it.</source>
            <translation>Ouvrez un projet dont l’agent n’a pas d’erreur pour l’exécuter.</translation>
        </message>
        <message>
            <source>Running…</source>
            <translation>Exécution…</translation>
        </message>
        <message>
            <source>The message could not be sent.</source>
            <translation>Le message n’a pas pu être envoyé.</translation>
        </message>
        <message>
            <source>running</source>
            <translation>en cours</translation>
        </message>
        <message>
            <source>done</source>
            <translation>terminé</translation>
        </message>
        <message>
            <source>error: %1</source>
            <translation>erreur : %1</translation>
        </message>
        <message>
            <source>TTFT %1 ms · %2 tok/s</source>
            <translation>TTFT %1 ms · %2 jetons/s</translation>
        </message>
        <message>
            <source>in</source>
            <translation>entrée</translation>
        </message>
        <message>
            <source>out</source>
            <translation>sortie</translation>
        </message>
    </context>
</TS>
