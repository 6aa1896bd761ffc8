"""The symbol table's words in Spanish, French, German, Italian and Portuguese (data for ``symbols``).

Each line is an emoji of ``symbols.SYMBOLS`` (a row may take several lines) and its words after a language
tag (``es:`` ``fr:`` ``de:`` ``it:`` ``pt:``), written as a dictionary writes them, accents included.
Words are compared folded (lower case, without accents: "árbol" is "arbol", "Kätzchen" "katzchen", "ß" "ss"),
and each stands for its plurals by its language's rules ("gato" "gatos", "chat" "chats", "Katze" "Katzen",
"gatto" "gatti", "caixa" "caixas", "leão" "leões"). A word marked ``~`` is also an English word ("pain",
"case" from "casa", "kind"): it names a symbol only in a text that is not English.

Left out on purpose: words that fold or inflect into another language's function word or a common word of
another meaning ("té" is "te", "thé" is "the", "bebé" is "bebe", "see", "or", "os", "lei", "sono"), and the
words for what only frames a subject (history, science, mystery, world: ``scene_words.STRUCTURE_WORDS``).
"""

from __future__ import annotations

import unicodedata

__all__ = ["FOREIGN_TABLE", "LANGUAGES", "STOP_WORDS", "fold", "forms", "parse"]

LANGUAGES = ("es", "fr", "de", "it", "pt")

FOREIGN_TABLE = """
🌋 es: volcán lava magma erupción cráter fr: volcan lave éruption cratère
🌋 de: vulkan lava magma ausbruch krater it: vulcano lava magma eruzione cratere pt: vulcão lava magma erupção
🐱 es: gato gata gatito felino fr: ~chat chatte chaton félin de: katze kater kätzchen
🐱 it: gatto gatta gattino micio pt: gato gata gatinho felino
🐶 es: perro perrito cachorro fr: chien chienne chiot de: hund welpe it: ~cane cagnolino cucciolo
🐶 pt: cão cachorro cadela
🐋 es: ballena fr: baleine de: ~wal it: balena pt: baleia
🦓 es: cebra fr: zèbre de: zebra it: zebra pt: zebra
🪼 es: medusa fr: méduse de: qualle it: medusa pt: água-viva
🐢 es: tortuga fr: tortue de: schildkröte it: tartaruga pt: tartaruga
🐬 es: delfín fr: dauphin de: delfin it: delfino pt: golfinho
🦈 es: tiburón fr: requin de: haifisch it: squalo pt: tubarão
🐙 es: pulpo calamar fr: pieuvre poulpe calmar de: krake tintenfisch it: polpo calamaro pt: polvo lula
🐝 es: abeja miel colmena fr: abeille miel ruche de: biene honig bienenstock it: ~ape ~api miele alveare
🐝 pt: abelha ~mel colmeia
🦋 es: mariposa oruga fr: papillon chenille de: schmetterling raupe it: farfalla bruco pt: borboleta lagarta
🐜 es: hormiga insecto fr: fourmi insecte de: ameise insekt it: formica insetto pt: formiga inseto
🦁 es: león tigre fr: lion tigre de: löwe tiger it: leone tigre pt: leão tigre
🐘 es: elefante fr: éléphant de: elefant it: elefante pt: elefante
🦅 es: águila pájaro ~ave pluma fr: aigle oiseau plume de: adler vogel feder it: aquila uccello piuma
🦅 pt: águia pássaro ~ave
🐍 es: serpiente culebra reptil fr: serpent reptile de: schlange reptil it: serpente rettile
🐍 pt: cobra serpente réptil
🦖 es: dinosaurio fósil fr: dinosaure fossile de: dinosaurier fossil it: dinosauro fossile
🦖 pt: dinossauro fóssil
🌊 es: océano ~mar ola marea playa fr: océan ~mer ~vague marée plage de: ozean meer welle ~strand
🌊 it: oceano ~mare ~onda marea spiaggia pt: oceano ~mar ~onda maré praia
🏔 es: montaña glaciar cumbre fr: montagne glacier sommet de: berg gletscher gipfel it: montagna ghiacciaio
🏔 it: vetta pt: montanha geleira
🪨 es: roca piedra fr: roche pierre caillou de: stein felsen it: roccia pietra sasso pt: rocha pedra
🌍 es: tierra planeta clima fr: terre planète climat de: erde planet klima it: terra pianeta clima
🌍 pt: terra planeta clima
🌌 es: galaxia universo cosmos nebulosa fr: galaxie univers nébuleuse de: galaxie universum weltall
🌌 it: galassia universo nebulosa pt: galáxia universo nebulosa
🪐 es: saturno júpiter fr: saturne de: saturn jupiter it: saturno giove pt: saturno júpiter
🚀 es: cohete astronauta fr: fusée astronaute de: rakete astronaut it: razzo astronauta pt: foguete astronauta
🌙 es: luna fr: lune de: mond it: luna pt: ~lua
☀ es: ~sol fr: soleil de: sonne it: ~sole pt: ~sol
⭐ es: estrella fr: étoile de: ~stern it: stella pt: estrela
⚫ es: agujero-negro agujeronegro agujerosnegros fr: trounoir trousnoirs de: schwarzesloch schwarzelöcher
⚫ it: buconero buchineri pt: buraconegro buracosnegros
⚫ es: gravedad fr: gravité de: schwerkraft it: gravità pt: gravidade
⚡ es: electricidad rayo relámpago energía batería fr: électricité éclair foudre énergie batterie
⚡ de: strom elektrizität blitz energie batterie it: elettricità fulmine energia batteria
⚡ pt: eletricidade raio relâmpago energia bateria
🌪 es: tornado huracán tormenta fr: ouragan tempête de: sturm orkan wirbelsturm it: uragano tempesta
🌪 pt: furacão tempestade
🌧 es: lluvia fr: pluie météo de: regen wetter it: pioggia meteo pt: chuva
❄ es: nieve hielo invierno ártico fr: neige glace hiver arctique de: schnee eis winter arktis
❄ it: neve ghiaccio inverno artico pt: neve gelo inverno ártico
🔥 es: fuego incendio fr: feu flamme incendie de: feuer flamme it: fuoco fiamma incendio pt: fogo incêndio
🌳 es: árbol bosque selva fr: arbre forêt jungle de: baum wald dschungel it: albero foresta bosco giungla
🌳 pt: árvore floresta selva
🌱 es: planta semilla jardín fr: plante graine jardin de: pflanze samen garten it: pianta ~seme giardino
🌱 pt: planta semente jardim
🌸 es: flor fr: fleur de: blume blüte it: fiore pt: flor
🍄 es: hongo fr: champignon de: pilz it: fungo pt: cogumelo
🧬 es: adn ~gen célula evolución fr: adn gène cellule évolution de: zelle it: gene cellula evoluzione
🧬 pt: gene célula evolução
🦠 es: bacteria vacuna fr: bactérie vaccin de: bakterie impfstoff it: batterio vaccino
🦠 pt: bactéria vacina
🧠 es: cerebro mente memoria fr: cerveau mémoire de: gehirn hirn gedächtnis it: cervello memoria
🧠 pt: cérebro memória
❤ es: corazón amor fr: cœur amour de: herz liebe it: cuore amore pt: coração amor
🫁 es: pulmón respiración fr: poumon respiration de: ~lunge atem it: polmone respiro pt: pulmão respiração
😴 es: sueño dormir siesta fr: sommeil dormir rêve sieste de: schlaf traum it: sonno sogno dormire
😴 pt: sonho dormir
💪 es: músculo ejercicio gimnasio fr: muscle exercice de: muskel training it: muscolo esercizio palestra
💪 pt: músculo exercício ~academia
🏃 es: correr carrera corredor maratón fr: ~course coureur de: laufen läufer it: corsa correre maratona
🏃 pt: corrida corredor maratona
🧘 es: meditación estrés fr: méditation calme de: meditation it: meditazione pt: meditação estresse
🥗 es: dieta ensalada verdura fr: ~régime salade légume de: diät salat gemüse it: dieta insalata verdura
🥗 pt: dieta salada legume
🍎 es: manzana fruta fr: pomme fruit de: apfel obst frucht it: mela frutta pt: maçã fruta
☕ es: café fr: café de: kaffee it: caffè pt: café
🍫 es: chocolate azúcar dulce fr: chocolat sucre bonbon de: schokolade ~zucker süßigkeit
🍫 it: cioccolato zucchero dolce pt: chocolate açúcar doce
🍳 es: cocina receta comida desayuno fr: cuisine recette repas nourriture de: küche rezept frühstück
🍳 it: cucina ricetta cibo colazione pt: cozinha receita comida
🍞 es: ~pan fr: ~pain baguette de: brot it: ~pane pt: pão
🍷 es: vino fr: ~vin de: wein it: vino pt: vinho
🤖 es: robot ~ia fr: robot ~ia de: roboter ~ki it: robot ~ia pt: robô ~ia
💻 es: computadora ordenador programación fr: ordinateur programmation logiciel de: programmierung
💻 it: computer programmazione pt: computador programação
📱 es: teléfono móvil celular fr: téléphone de: ~handy telefon it: telefono cellulare pt: telefone celular
🎮 es: videojuego fr: jeuvideo jeuxvideo de: videospiel it: videogioco pt: videogame
♟ es: ajedrez fr: échecs de: schach it: scacchi pt: xadrez
🔒 es: contraseña seguridad privacidad fr: sécurité de: passwort sicherheit it: sicurezza
🔒 pt: senha segurança privacidade
💰 es: dinero riqueza salario fr: argent richesse salaire de: geld reichtum gehalt
💰 it: soldi denaro ricchezza stipendio pt: dinheiro riqueza salário
📈 es: inversión mercado economía fr: investissement bourse économie de: börse aktie wirtschaft
📈 it: investimento mercato economia pt: investimento mercado economia
🏦 es: banco préstamo deuda fr: banque dette de: bank kredit schulden it: banca prestito debito
🏦 pt: banco empréstimo dívida
🛒 es: compra tienda fr: magasin achat de: einkaufen it: negozio spesa pt: compra loja
💼 es: negocio trabajo empresa oficina fr: entreprise bureau travail emploi de: arbeit beruf büro
💼 de: unternehmen it: lavoro azienda ufficio pt: negócio trabalho empresa escritório
⏰ es: reloj madrugada fr: horloge réveil matin de: uhr wecker it: orologio sveglia mattina
⏰ pt: relógio despertador manhã
📚 es: libro lectura biblioteca escuela fr: livre ~lecture bibliothèque école de: buch bibliothek schule
📚 it: libro lettura biblioteca scuola pt: livro leitura biblioteca escola
🎓 es: universidad estudiante examen fr: université étudiant de: universität prüfung it: università
🎓 it: studente esame pt: universidade estudante exame
✏ es: escribir lápiz fr: écrire crayon de: schreiben bleistift it: scrivere matita pt: escrever lápis
🧪 es: química experimento laboratorio fr: chimie laboratoire de: chemie experiment it: chimica
🧪 it: esperimento laboratorio pt: química experimento laboratório
⚛ es: átomo física cuántica partícula fr: atome physique quantique particule de: atom physik quanten
⚛ de: teilchen it: atomo fisica quantistica particella pt: átomo física quântica partícula
🔭 es: telescopio astronomía fr: télescope astronomie de: teleskop astronomie it: telescopio astronomia
🔭 pt: telescópio astronomia
🧮 es: matemática ecuación fr: mathématiques équation de: mathematik gleichung it: matematica equazione
🧮 pt: matemática equação
💡 es: invento invención innovación fr: invention innovation de: erfindung it: invenzione
💡 pt: invenção inovação
🎵 es: música canción cantante concierto fr: musique chanson chanteur de: musik lieder konzert sänger
🎵 it: musica canzone cantante concerto pt: música canção cantor
🎸 es: guitarra fr: guitare de: gitarre it: chitarra pt: violão guitarra
🎹 de: klavier it: pianoforte
🎬 es: película cine fr: cinéma de: kino it: cinema pt: cinema
📷 es: foto fotografía cámara fr: photo de: foto kamera it: foto fotografia fotocamera pt: foto fotografia
📷 pt: câmera
🎨 es: arte pintura pintor fr: peinture peintre de: kunst malerei maler it: arte pittura pittore
🎨 pt: arte pintura pintor
⚽ es: fútbol gol fr: footballeur de: fußball ~tor it: calcio pt: futebol gol
🏀 es: baloncesto it: pallacanestro pt: basquete
🎾 es: tenis pt: tênis
🏆 es: campeón campeonato trofeo deporte fr: trophée de: meister pokal it: campione trofeo
🏆 pt: campeão troféu esporte
✈ es: avión aeropuerto viaje vuelo fr: avion aéroport de: flugzeug flughafen reise flug it: aereo
✈ it: aeroporto viaggio volo pt: avião aeroporto viagem voo
🚗 es: coche carro tráfico fr: voiture trafic de: wagen verkehr it: macchina traffico pt: carro trânsito
🛞 es: rueda neumático fr: roue pneu de: reifen it: ruota pneumatico pt: roda pneu
🚲 es: bicicleta bici fr: vélo bicyclette de: fahrrad it: bicicletta bici pt: bicicleta
🚂 es: tren ferrocarril de: zug eisenbahn it: treno pt: trem
🚢 es: barco buque velero pirata fr: bateau navire de: schiff pirat it: ~nave barca pirata
🚢 pt: navio barco pirata
🏛 es: imperio museo romano fr: musée romain de: antike römer it: impero museo antico romano
🏛 pt: império museu romano
🏰 es: castillo rey reina reino caballero fr: château roi reine royaume chevalier
🏰 de: ~burg schloss könig königin ritter it: castello regina regno cavaliere
🏰 pt: castelo rei rainha reino cavaleiro
🧱 es: muro pared ladrillo fr: ~mur brique de: mauer ziegel it: muro mattone pt: muro parede tijolo
🗿 es: estatua it: statua pt: estátua
🔺 es: pirámide egipto faraón fr: égypte pharaon de: ägypten pyramide pharao it: piramide egitto faraone
🔺 pt: pirâmide egito faraó
🏙 es: ciudad rascacielos edificio fr: ville gratte-ciel immeuble bâtiment de: stadt wolkenkratzer gebäude
🏙 it: città grattacielo edificio palazzo pt: cidade arranha-céu prédio edifício
🏠 es: ~casa hogar familia apartamento fr: maison famille appartement de: haus familie wohnung
🏠 it: ~casa famiglia appartamento pt: ~casa família apartamento
🤝 es: amigo amistad equipo comunidad fr: ~ami amitié équipe communauté de: freund freundschaft
🤝 de: gemeinschaft it: amico amicizia squadra comunità pt: amigo amizade equipe comunidade
👶 es: niño niña hijo fr: enfant de: ~kind ~kinder eltern it: bambino neonato figlio genitori
👶 pt: criança filho
😂 es: risa chiste feliz felicidad sonrisa fr: rire blague heureux bonheur sourire
😂 de: lachen witz glücklich it: risata barzelletta felice felicità sorriso pt: riso piada feliz felicidade
😢 es: triste tristeza llorar soledad fr: tristesse pleurer de: traurig trauer einsamkeit
😢 it: tristezza piangere solitudine pt: tristeza chorar solidão
😱 es: miedo pánico ansiedad fr: peur terreur panique angoisse anxiété de: panik furcht
😱 it: paura terrore panico ansia pt: medo pânico ansiedade
👻 es: fantasma fr: fantôme de: gespenst it: fantasma pt: fantasma
🎉 es: fiesta cumpleaños celebración fr: fête anniversaire de: feier geburtstag it: festa compleanno
🎉 pt: festa aniversário
💎 es: diamante joya lujo fr: diamant bijou de: diamant juwel luxus it: diamante gioiello lusso
💎 pt: diamante joia luxo
🥇 es: oro medalla fr: médaille de: medaille it: oro medaglia pt: ouro medalha
🕵 es: detective crimen fr: détective de: detektiv verbrechen it: crimine pt: detetive
⚖ es: ley justicia tribunal abogado fr: loi justice tribunal avocat de: gesetz gericht anwalt
⚖ it: giustizia tribunale avvocato pt: justiça tribunal advogado
🗳 es: elección votar voto política gobierno fr: élection politique gouvernement de: wahl politik regierung
🗳 it: elezione voto politica governo pt: eleição voto política governo
🌾 es: granja agricultura trigo cosecha fr: agriculture blé récolte de: bauernhof landwirtschaft weizen
🌾 de: ernte it: fattoria agricoltura grano raccolto pt: fazenda agricultura trigo colheita
💧 es: agua río lago fr: eau rivière lac fleuve de: wasser fluss it: acqua fiume lago pt: água rio lago
🛰 es: satélite órbita fr: satellite orbite de: satellit umlaufbahn it: satellite orbita pt: satélite órbita
🧲 es: imán fr: aimant de: magnet it: magnete calamita
🔬 es: microscopio fr: microscope de: mikroskop it: microscopio pt: microscópio
🦴 es: hueso esqueleto fr: squelette de: knochen skelett it: osso scheletro pt: osso esqueleto
🦷 es: diente dentista fr: ~dent dentiste de: zahn zahnarzt it: dente dentista pt: dente dentista
👁 es: ojo fr: œil yeux de: auge it: occhio pt: olho visão
👂 es: oído oreja sonido ruido fr: oreille bruit de: ohr gehör lärm geräusch klang
👂 it: orecchio suono rumore udito pt: ouvido orelha barulho ruído
🗣 es: idioma lengua fr: langue de: sprache it: lingua pt: idioma língua
🧭 es: aventura explorador brújula fr: aventure explorateur boussole de: abenteuer entdecker kompass
🧭 it: avventura esploratore bussola pt: aventura explorador bússola
🗺 es: mapa país fr: carte de: karte it: mappa paese pt: mapa
🧩 es: rompecabezas acertijo fr: casse-tête énigme de: rätsel it: enigma indovinello pt: quebra-cabeça enigma
📦 es: caja cartón paquete fr: boîte carton colis de: kiste karton schachtel paket it: scatola pacco
📦 pt: caixa papelão pacote
"""

# words of these languages that never name a symbol, besides their function words (``languages``): common
# words that are also a keyword somewhere ("sea": Spanish "be", English sea; "ai": Italian "to the", French "have")
STOP_WORDS = frozenset("""
sea sean fue ai au aux ha han hai ho hanno vez veces pena vale llama llaman chama chamam bebe marche ferme
lei legge vista visto son sono mais monde mondes usa usan
""".split())


def fold(word: str) -> str:
    """``word`` compared: lower case, without accents ("Kätzchen" -> "katzchen", "Fuß" -> "fuss", "cœur" -> "coeur")."""
    low = word.lower().replace("ß", "ss").replace("œ", "oe").replace("æ", "ae")
    return "".join(ch for ch in unicodedata.normalize("NFD", low) if not unicodedata.combining(ch))


def forms(lang: str, word: str) -> set[str]:
    """A folded word and its plurals by ``lang``'s rules (a superset: a form no one writes costs nothing)."""
    out = {word}
    if lang in ("es", "pt", "fr"):
        out |= {word + "s", word + "es"}
    if lang == "es" and word.endswith("z"):
        out.add(word[:-1] + "ces")  # luz -> luces
    if lang == "pt":
        if word.endswith("ao"):
            out |= {word[:-2] + "oes", word[:-2] + "aes", word[:-2] + "aos"}  # leão -> leões, cão -> cães
        if word[-2:] in ("al", "el", "ol", "ul"):
            out.add(word[:-1] + "is")  # animal -> animais
        if word.endswith("m"):
            out.add(word[:-1] + "ns")  # jardim -> jardins
    if lang == "fr":
        out.add(word + "x")  # bateau -> bateaux
        if word.endswith(("al", "ail")):
            out.add(word.removesuffix("l").removesuffix("i") + "ux")  # cheval -> chevaux, travail -> travaux
    if lang == "de":
        out |= {word + end for end in ("s", "e", "n", "en", "er", "nen")}  # umlauts fold away: Bäume = baum+e
    if lang == "it":
        stem, last = word[:-1], word[-1:]
        if word.endswith("io"):
            out.add(word[:-2] + "i")  # figlio -> figli
        elif word.endswith(("co", "go")):
            out |= {stem + "hi", stem + "i"}  # fungo -> funghi, amico -> amici
        elif word.endswith(("ca", "ga")):
            out.add(stem + "he")  # barca -> barche
        elif last in ("o", "e"):
            out.add(stem + "i")  # gatto -> gatti, leone -> leoni
        elif last == "a":
            out.add(stem + "e")  # scatola -> scatole
    return out


def parse(table: str = FOREIGN_TABLE) -> dict[str, list[tuple[str, str, bool]]]:
    """emoji -> [(language, folded word, also in English text)], in the table's order."""
    rows: dict[str, list[tuple[str, str, bool]]] = {}
    for line in table.strip().splitlines():
        emoji, *tokens = line.split()
        lang = ""
        for token in tokens:
            if token.endswith(":"):
                lang = token[:-1]
                if lang not in LANGUAGES:
                    raise ValueError(f"symbols_words: unknown language tag {token!r} in {line!r}")
                continue
            if not lang:
                raise ValueError(f"symbols_words: a word before any language tag in {line!r}")
            rows.setdefault(emoji, []).append((lang, fold(token.lstrip("~").replace("-", "")),
                                               not token.startswith("~")))
    return rows
