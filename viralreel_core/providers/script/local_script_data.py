"""The offline script writer's words: the structure of a draft, titles, and what the visuals are made of (pure data).

The writer knows no facts, so a draft is a structure in the topic's words with the places for the
person's facts in [square brackets]. Hooks, calls to action and titles say which kinds of topic they read
well with, as a prefix before ``|``:

    T  a thing or idea        "volcanoes", "the future of AI", "coffee"
    N  a name                 "Marie Curie", "Tokyo", "the Roman Empire"
    A  an activity or skill   "learning to cook", "how to bake bread" (a draft of steps)
    C  a clause               "how volcanoes work", "why we dream"
    L  a list                 "5 ways to save money", "10 facts about octopuses"
    F  a topic in another language (kept as written, never quoted into English sentences)
    Q  a question             "Why do cats purr?", "Is coffee bad for you?"
    *  any of those
"""

from __future__ import annotations

__all__ = ["HOOKS", "CALLS", "BODIES", "MORE", "MORE_NUMBERED", "OTHER_HOOK", "OTHER_CALL", "TITLES", "STEP_TITLES",
           "QUESTION_TITLES", "THEMES", "DEFAULT_SETTINGS", "DEFAULT_PALETTES", "SHOTS", "MOODS", "KINDS",
           "ENGLISH_NOUNS", "GENERIC_TERMS"]

KINDS = "TNACLFQ"

# A script is a structure: a hook, body scenes in the order the topic's shape needs, a call to action.
# Each line names the topic (so no sentence is the same in two videos) and leaves the facts to the person
# in [square brackets]; nothing in brackets holds a sentence end and every sentence (a question's answer too)
# carries the topic.
# Placeholders: {t} the topic mid-sentence, {T} starting one, {s} what it is about ("volcanoes" for "how
# volcanoes work"), {q} a question topic (no "?"), {goal}/{when} what the steps are for ("to bake bread",
# "when you bake bread"),
# {n}/{nth} a number and its ordinal in words, {b} how many steps, in words with the noun ("three steps").
# Hooks and calls to action carry the kinds they read well with ("TNACLF", "Q" a question topic).
HOOKS: dict[str, tuple[str, ...]] = {
    "default": (
        "TNF|{T}: [the one fact about {s} that made you stop scrolling].",
        "TNC|{T}, in short: [your most surprising line about {s}].",
        "L|{T}, one by one: [why this list matters, in one line].",
        "TN|[A question about {s} your viewers cannot answer yet]? Let's look at {t}.",
        "Q|{q}? [Your answer about {s} in one line, before the details].",
        "Q|{q}? [The answer about {s} that surprised you, in a few words].",
        "A|{T}, in {b}: [what you will have at the end].",
    ),
    "funny": (
        "TNCLF|{T}, and yes, it gets weird: [the strangest true thing you know about {s}].",
        "TNC|Nobody asked, but let's talk about {t}: [your funniest true line about {s}].",
        "L|{T}, no filler: [why this list is worth a minute of your time].",
        "Q|{q}? [Your funniest true answer about {s}, in one line].",
        "A|{T}, in {b}, and a few mistakes: [what you will have at the end].",
    ),
    "serious": (
        "TNCLF|One fact about {s} deserves your attention: [the fact, and where it comes from].",
        "TNC|Before you form a view on {t}, hear this: [the fact that matters most].",
        "Q|{q}? [The honest answer about {s} in one line, and its source].",
        "A|{T}, done properly, in {b}: [what is at stake if it goes wrong].",
    ),
    "inspiring": (
        "TNCLF|{T} changed how I see things: [the moment it changed for you].",
        "TN|Here is why {s} is worth your time: [what it gave you or someone you know].",
        "C|{T}, and why it is worth knowing: [what it gave you or someone you know].",
        "Q|{q}? [The answer about {s} that moved you, in one line].",
        "A|{T} is within your reach, in {b}: [what you will have at the end].",
    ),
    "educational": (
        "TNCLF|{T}, step by step, starting with this: [the one-line definition of {s}].",
        "TNC|A short lesson on {t}: [the one idea about {s} everything else builds on].",
        "Q|{q}? [The answer about {s} in one sentence, then the why].",
        "A|{T}, in {b} you can follow: [what you will have at the end].",
    ),
}
CALLS: dict[str, tuple[str, ...]] = {
    "default": (
        "*|Tell me in the comments what you would add about {s}.",
        "*|If you know something about {s} that I left out, put it in the comments.",
        "*|Send this to someone who keeps asking about {s}.",
    ),
    "funny": (
        "*|Tag the friend who needs to hear about {s}, and blame me.",
        "*|Comment the weirdest thing you know about {s}.",
    ),
    "serious": (
        "*|If you have a source on {s} I should read, leave it in the comments.",
        "*|Share this with someone who should know about {s}.",
    ),
    "inspiring": (
        "TNAF|Tell me in the comments what {s} means to you.",
        "*|Share this with someone who is as curious about {s} as you are.",
    ),
    "educational": (
        "*|Comment one question about {s} that you still have.",
        "*|Save this for the next time someone asks you about {s}.",
    ),
}
# Body scenes by the topic's shape: the slots in order, each with phrasings a seed chooses between.
BODIES: dict[str, tuple[tuple[str, ...], ...]] = {
    "subject": (  # a thing or idea: "black holes", "the history of the bicycle", "what dark matter is"
        ("{T} in one line: [{s}, explained in words a child would follow].",
         "Start with the basics of {t}: [{s}, defined in one sentence]."),
        ("A number about {s}: [one figure that shows its size, age or reach, and its source].",
         "The numbers behind {s}: [one figure, and where it comes from]."),
        ("A picture of {s} from everyday life: [an example anyone has seen].",
         "An everyday example of {s}: [a place or moment from ordinary life]."),
        ("The myth about {s}: [what people believe, and what is true instead].",
         "What most people get wrong about {s}: [the mistake, and the correction]."),
    ),
    "profile": (  # a name: "Marie Curie", "Tokyo"
        ("Meet {t}: [who or what, in one sentence].", "{T}, introduced: [who or what, in one line]."),
        ("What {t} is known for: [the achievement or feature, with a date].",
         "The reason people know {t}: [the one thing, with a date]."),
        ("Where the story of {t} begins: [the time and place].",
         "The story of {t} starts here: [the time and place, and what happened]."),
        ("A detail about {t} few people know: [the detail, and how you know it].",
         "Something about {t} that rarely gets told: [the detail, and your source]."),
    ),
    "process": (  # how something works: "how volcanoes work", "how do plants grow"
        ("With {s}, it starts like this: [what happens first].",
         "The first stage, for {s}: [what happens first, and why]."),
        ("Then, with {s}: [what happens next, and what drives it].",
         "The next stage, for {s}: [what changes, and why]."),
        ("A number about {s}: [a figure that shows the process, and its source].",
         "How fast or how big, for {s}: [one figure, with its source]."),
        ("What you can see of {s} at the end: [the result, and where to see it].",
         "The part of {t} people rarely hear about: [the surprising step]."),
    ),
    "reasons": (  # why something is so: "why cats purr", "why the sky is blue"
        ("Here is {t}: [the main reason, in one sentence].", "The main reason, for {t}: [the reason, plainly]."),
        ("Another part of {t}: [a second reason, if there is one].",
         "There is more to {t}: [a second reason, or the detail behind the first]."),
        ("The evidence for {t}: [a study, a measurement or an example, and its source].",
         "How we know {t}: [the study or observation, and its source]."),
        ("What people often say about {t}: [the myth, and what is true instead].",
         "The usual wrong answer to {t}: [the myth, and the correction]."),
    ),
    "answer": (  # a yes or no question: "is coffee bad for you"
        ("The short answer about {s}: [yes, no or it depends, and why].",
         "On {s}, the short answer: [yes, no or it depends, and why]."),
        ("What the research says about {s}: [the finding, and its source].",
         "The evidence on {s}: [a study or figure, and its source]."),
        ("When the answer about {s} changes: [the cases where it is different].",
         "It depends, for {s}: [who or when the answer is different]."),
        ("What people get wrong about {s}: [the myth, and the correction].",
         "The common mistake about {s}: [what people believe, and what is true]."),
    ),
    "steps": (  # how to do something: "how to bake bread", "learning to cook"
        ("Step {n}: [the {nth} thing to do {goal}].", "Step {n} {goal}: [what to do, and how long it takes]."),
        ("The mistake to avoid {when}: [the mistake, and what to do instead].",
         "Where it goes wrong {when}: [the mistake, and the fix]."),
    ),
    "list": (  # a list: "5 ways to save money"
        ("Number {n}: [the {nth} of {t}].", "The {nth} of {t}: [what it is, in one sentence]."),
        ("Numbers {n} to {m}: [the {nth} to {mth} of {t}, a line each].",),  # more than three in one scene
        ("The one of {t} that works best for you: [which, and why].",
         "Of {t}, the one people skip: [which one, and why it matters]."),
    ),
    "other": (  # a topic in another language: the places to fill, the topic as written
        ("{T}: [your point {n}, in the video's language].",),
    ),
}
# More to say, for a longer video (``local_length``): each sentence a place for one more fact, never two alike
# in a video; {s} what it is about. Past the last, numbered places ("Point 41 about {s}: …").
MORE: tuple[str, ...] = (  # {s} may be a clause ("why cats purr"): it follows "about", "on", "for"
    "Here is a detail about {s} worth knowing: [one concrete detail, and why it matters].",
    "A picture to keep in mind about {s}: [a comparison anyone can see in their head].",
    "A number about {s} that sticks: [the figure, and where it comes from].",
    "An example about {s} from real life: [a place, a person or a moment].",
    "What this means for you, on {s}: [the practical takeaway].",
    "The part about {s} people skip: [the overlooked detail].",
    "The cause, when it comes to {s}: [why it works this way, in plain words].",
    "A common question about {s}: [the question, and its short answer].",
    "The history, on {s}: [when it started, and who was there].",
    "What experts say about {s}: [a finding, and its source].",
    "A quick test you can try, on {s}: [what to do, and what you will see].",
    "The surprising side of the story about {s}: [the fact that turns expectations around].",
    "A comparison, for {s}: [something similar, and the difference].",
    "What changes the picture on {s}: [the condition, and its effect].",
    "The mistake people make about {s}: [the mistake, and the better way].",
    "Where you can see it today, on {s}: [a place or a product].",
    "A story about {s}: [a short true story, in two lines].",
    "The rule of thumb on {s}: [the rule, in one line].",
    "What it is not, on {s}: [the thing it is often confused with].",
    "The next thing to know about {s}: [the follow-up fact].",
    "Zoom in on {s}: [the small detail that explains the big picture].",
    "What would change without it, on {s}: [the consequence, in one line].",
    "The best evidence about {s}: [a study or measurement, with its source].",
    "One more thing about {s}: [the detail you would tell a friend].",
    "The people to know about {s}: [who they are, and what they did].",
    "A myth about {s} that will not die: [the myth, and the truth].",
    "The scale of it, on {s}: [how big, how small or how many, with a number].",
    "What surprised me most about {s}: [the moment, in one line].",
    "The simplest way to explain {s}: [the explanation a child would follow].",
    "Where things are heading, on {s}: [the change to watch, and when].",
    "A tip about {s} you can use today: [the tip, in one line].",
    "The cost, when it comes to {s}: [what it takes, in time, money or effort].",
    "The question about {s} still open: [what nobody knows yet].",
    "A detail about {s} most videos miss: [the detail, and your source].",
    "Up close, on {s}: [what you would see, hear or feel].",
    "Where everyday life meets {s}: [the moment the two meet].",
    "A before and after, on {s}: [what changed, and why].",
    "The word to know about {s}: [the term, and what it means].",
    "What to remember about {s}, if nothing else: [the one line to keep].",
    "A second look at {s}: [the detail that changes the first picture].",
)
MORE_NUMBERED = "Point {n} about {s}: [one more detail worth a line]."
OTHER_HOOK = "{T}: [your opening line, in the video's language]."
OTHER_CALL = "{T}: [your closing line, in the video's language]."

# {T} the topic in title case; {N} the video's length rounded up to ten seconds, in digits; {B} steps.
TITLES: dict[str, tuple[str, ...]] = {
    "default": ("TNCF|{T}, Explained", "TNC|{T}: The Short Version", "TNC|{T} in Under {N} Seconds"),
    "funny": ("TNCF|{T}, But Make It Funny", "TNC|My Chaotic Guide to {T}"),
    "serious": ("TNCF|{T}: What You Need to Know", "TNC|{T}, Seriously"),
    "inspiring": ("TNCF|Why {T} Is Worth Your Time", "TNC|{T}, and Why It Matters"),
    "educational": ("TNCF|{T}, Explained Simply", "TNC|{T} 101", "TNC|Learn {T} in Under {N} Seconds"),
}
STEP_TITLES = ("{T} in {B}", "{T}: {B}")  # B: "1 Step", "3 Steps"
QUESTION_TITLES = ("{Q}?", "{Q}? Explained", "{Q}? The Short Answer")

# Visuals. A theme is matched on the topic's words; its ``subjects`` are shown only when they name one
# of the topic's own words (a cat topic gets the cat, not the puppy); otherwise the topic's subject is
# shown in one of the theme's ``settings``. (triggers, subjects, settings, palette)
THEMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str]] = {
    "fire": (("volcano", "volcanoes", "volcanic", "lava", "magma", "eruption", "fire", "wildfire", "火山"),
             ("a volcano erupting at night", "glowing lava flowing down a volcano",
              "a fire crackling in the dark"),
             ("glowing with lava at night", "under a smoky orange sky", "in the red glow of an eruption"),
             "glowing orange and deep red"),
    "tech": (("ai", "robot", "robotics", "tech", "technology", "computer", "computers", "code", "coding",
              "program", "programming", "software", "app", "apps", "digital", "internet", "cyber",
              "cybersecurity", "data", "chip", "gadget", "phone", "smartphone", "iphone", "android", "future",
              "futuristic", "virtual", "metaverse", "algorithm", "machine", "chatgpt", "gpt", "automation",
              "python", "javascript", "hacker", "hacking", "web", "online", "tesla", "electric", "vr",
              "人工智能", "智能", "科技", "电脑", "未来", "机器人", "ロボット", "技術"),
             ("a robot hand reaching toward the camera", "a glowing circuit board", "a computer screen full of code",
              "a smartphone glowing in the dark"),
             ("glowing in a neon-lit city at night", "surrounded by holographic data streams",
              "in a futuristic control room full of screens"),
             "electric blue and neon purple"),
    "money": (("money", "finance", "financial", "invest", "investing", "investment", "stock", "stocks", "rich",
               "wealth", "budget", "budgeting", "savings", "saving", "save", "debt", "income", "business",
               "startup", "economy", "salary", "market", "dollar", "dollars", "crypto", "bitcoin",
               "blockchain", "bank", "banking", "millionaire", "retirement", "tax", "taxes", "hustle", "crisis",
               "钱", "金融", "投资", "经济"),
              ("a stack of golden coins", "green stock charts rising on a screen", "a wallet full of cash",
               "hands counting crisp banknotes", "a bitcoin coin spinning"),
              ("on a desk in golden light", "against a city skyline at golden hour",
               "next to rising stock charts"),
              "gold and emerald green"),
    "ocean": (("ocean", "oceans", "sea", "seas", "beach", "fish", "whale", "whales", "shark", "sharks", "water",
               "coral", "surf", "surfing", "island", "marine", "dolphin", "dolphins", "octopus", "octopuses",
               "wave", "waves", "underwater", "海", "海洋"),
              ("a deep blue ocean seen from above", "a coral reef full of colourful fish", "a whale breaching",
               "an octopus gliding over the sea floor", "waves crashing on a white sand beach"),
              ("in sunlight rays under turquoise water", "by a white sand beach", "in the deep blue sea"),
              "deep blue and turquoise"),
    "space": (("space", "planet", "planets", "star", "stars", "galaxy", "galaxies", "nasa", "mars", "moon",
               "universe", "astronaut", "rocket", "cosmos", "astronomy", "alien", "aliens", "spacex", "orbit",
               "telescope", "black hole", "black holes", "dark matter", "太空", "宇宙", "星"),
              ("a starry purple galaxy", "a glowing planet rising over the horizon", "a rocket launching into the sky",
               "an astronaut floating above the earth", "a black hole bending starlight"),
              ("against a starry night sky", "seen from orbit", "under a sky full of stars"),
              "deep purple and starlight silver"),
    "sky": (("sky", "skies", "cloud", "clouds", "rainbow", "rainbows", "sunset", "sunsets", "sunrise", "天空"),
            ("a clear blue sky with drifting clouds", "a rainbow over green hills", "a sunset sky glowing orange"),
            ("over green hills", "above a calm sea", "seen from a mountain top"),
            "sky blue and soft white"),
    "science": (("science", "quantum", "physics", "chemistry", "biology", "atom", "atoms", "dna", "gene", "genes",
                 "evolution", "experiment", "lab", "scientist", "scientists", "energy", "curie", "einstein",
                 "科学", "物理"),
                ("glowing particles swirling in a dark lab", "a chemistry experiment bubbling",
                 "a microscope under cool blue light", "a glowing double helix turning slowly"),
                ("in a dark lab lit by glowing particles", "under a microscope's cool light",
                 "beside bubbling glass flasks"),
                "cool cyan and violet"),
    "nature": (("nature", "mountain", "mountains", "forest", "forests", "hike", "hiking", "tree", "trees",
                "camping", "climate", "earth", "environment", "weather", "garden", "gardening", "plant", "plants",
                "flower", "flowers", "river", "rivers", "rain", "storm", "storms", "sustainability", "山", "自然"),
               ("a sunrise over mountains", "a misty green forest at dawn", "a winding river through a valley",
                "wildflowers swaying in warm light", "a storm rolling over hills"),
               ("in a misty valley at dawn", "under a dramatic sky", "in warm golden light"),
               "warm gold and fresh green"),
    "food": (("food", "cook", "cooking", "recipe", "recipes", "pizza", "coffee", "tea", "bake", "baking", "bread",
              "chocolate", "eat", "eating", "kitchen", "chef", "meal", "meals", "lasagna", "pasta", "sushi",
              "burger", "breakfast", "dinner", "lunch", "dessert", "cake", "sourdough", "vegan", "wine",
              "吃", "食", "美食", "料理"),
             ("a sizzling pan in a warm kitchen", "steam rising from a cup of coffee",
              "colourful ingredients on a wooden table", "a chef plating food", "a fresh loaf of bread"),
             ("on a wooden table in a warm kitchen", "under warm kitchen lights", "with steam rising slowly"),
             "warm orange and rich brown"),
    "fitness": (("fitness", "gym", "workout", "exercise", "run", "running", "health", "healthy", "sleep", "muscle",
                 "muscles", "yoga", "sport", "sports", "football", "soccer", "basketball", "weight", "diet",
                 "marathon", "training", "cardio", "健康", "运动"),
                ("a runner on a track at sunrise", "a dumbbell in a bright gym", "a yoga mat by a window at dawn",
                 "a person sleeping peacefully"),
                ("in a bright gym", "on a track at sunrise", "in dramatic side light"),
                "energetic red and bright white"),
    "animals": (("cat", "cats", "dog", "dogs", "pet", "pets", "puppy", "puppies", "kitten", "kittens", "animal",
                 "animals", "bird", "birds", "wildlife", "horse", "horses", "lion", "lions", "tiger", "tigers",
                 "bear", "bears", "purr", "wolf", "wolves", "elephant", "elephants", "owl", "owls",
                 "猫", "狗", "动物"),
                ("a fluffy cat in a sunbeam", "a cat purring on a lap", "a playful puppy on green grass",
                 "a dog running on a beach", "an owl blinking in the dark", "a lion at golden hour",
                 "an elephant crossing a river"),
                ("in soft golden light", "looking into the camera", "in the wild at golden hour"),
                "soft golden and warm cream"),
    "history": (("history", "historical", "ancient", "war", "empire", "rome", "roman", "romans", "egypt",
                 "pyramid", "pyramids", "medieval", "king", "queen", "castle", "museum", "viking", "vikings",
                 "dinosaur", "dinosaurs", "civilization", "历史", "古代"),
                ("an old map under candlelight", "ancient stone ruins at dusk", "a marble statue in dramatic light",
                 "the pyramids at sunset", "a dinosaur skeleton in a museum"),
                ("among crumbling ruins at dusk", "beside an old map by candlelight", "in a dusty old library"),
                "sepia and warm amber"),
    "music": (("music", "song", "songs", "guitar", "piano", "concert", "band", "sing", "singing", "rap", "dance",
               "dancing", "dj", "album", "musician", "音乐"),
              ("a guitar under a warm spotlight", "a glowing vinyl record spinning", "dancers in neon light",
               "a piano on an empty stage"),
              ("under purple stage lights", "in front of a cheering crowd", "in a warm spotlight"),
              "vivid purple and hot pink"),
    "mind": (("mind", "brain", "brains", "psychology", "habit", "habits", "mental", "focus", "productivity",
              "productive", "study", "studying", "learn", "learning", "school", "book", "books", "read", "reading",
              "motivation", "success", "dream", "dreams", "happiness", "stress", "anxiety", "meditation",
              "mindset", "学习", "心理"),
             ("a glowing brain made of light", "an open notebook on a tidy desk", "a person thinking by a window",
              "light bulbs flickering on in the dark", "a stack of books"),
             ("on a tidy desk at sunrise", "by a rainy window", "in calm morning light"),
             "calm teal and warm yellow"),
    "love": (("love", "relationship", "relationships", "dating", "friend", "friends", "friendship", "family",
              "wedding", "marriage", "romance", "kid", "kids", "parent", "parents", "parenting", "baby", "babies",
              "mom", "dad", "爱", "家庭"),
             ("two hands holding under fairy lights", "a family laughing around a dinner table",
              "friends laughing on a rooftop", "a heart drawn in the sand"),
             ("at sunset on a city rooftop", "under warm fairy lights", "in soft evening light"),
             "soft pink and warm peach"),
    "art": (("art", "artist", "fashion", "design", "paint", "painting", "photo", "photography", "style", "makeup",
             "beauty", "film", "movie", "movies", "drawing", "creative", "creativity", "艺术", "电影"),
            ("colourful paint splashing in slow motion", "canvases on a studio wall", "a camera lens catching light",
             "a model walking under spotlights"),
            ("in a bright art studio", "under bold spotlights", "with colourful paint splashing"),
            "bold primary red, yellow and blue"),
}
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
ORDINALS = ("zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
# "how volcanoes work": a topic about a process (its body explains the steps), not a story
PROCESS_VERBS = frozenset("""work works happen happens grow grows form forms fly flies move moves stay stays
make makes change changes function functions begin begins start starts erupt erupts evolve evolves spread
spreads travel travels breathe breathes survive survives sleep sleeps see sees hear hears heal heals""".split())
DEFAULT_SETTINGS = ("in warm golden light", "against a clean, bold background", "in soft morning light",
                    "under dramatic studio lights", "as a bold graphic illustration")
DEFAULT_PALETTES = ("warm golden", "cool blue and teal", "vibrant rainbow", "moody purple and orange")

SHOTS = {
    "hook": ("Dramatic fast zoom into", "Extreme close-up of", "Whip-pan reveal of", "Slow-motion push-in on"),
    "body": ("Wide establishing shot of", "Slow dolly shot across", "Overhead shot of", "Close-up of",
             "Smooth tracking shot past", "Time-lapse of", "Handheld shot of"),
    "cta": ("Slow zoom out from", "Bold title text over", "Final wide shot of"),
}
MOODS = {
    "default": ("vibrant cinematic colours", "bold high-contrast look", "rich cinematic lighting"),
    "funny": ("bright playful colours", "bouncy cartoonish energy", "sunny saturated colours"),
    "serious": ("dark moody lighting", "muted cinematic shadows", "cold blue-grey atmosphere"),
    "inspiring": ("warm golden sunrise glow", "uplifting soft light", "glowing golden-hour warmth"),
    "educational": ("clean bright lighting", "crisp clean look with clear labels", "calm even lighting"),
}

# Stock searches are in English whatever the video's language. For a topic in another language the offline
# writer searches for the English of the words it knows here (common filmable nouns in Spanish, French,
# German, Portuguese and Italian), else for its theme's pictured subjects, else for these generic shots.
ENGLISH_NOUNS: dict[str, str] = {
    # Spanish
    "gato": "cat", "gatos": "cats", "perro": "dog", "perros": "dogs", "mar": "sea", "océano": "ocean",
    "playa": "beach", "montaña": "mountain", "montañas": "mountains", "bosque": "forest", "río": "river",
    "volcán": "volcano", "volcanes": "volcanoes", "espacio": "space", "estrellas": "stars", "luna": "moon",
    "planeta": "planet", "dinero": "money", "café": "coffee", "comida": "food", "cocina": "kitchen",
    "pan": "bread", "ciudad": "city", "coche": "car", "coches": "cars", "lluvia": "rain", "nieve": "snow",
    "árbol": "tree", "árboles": "trees", "flores": "flowers", "flor": "flower", "pájaros": "birds",
    "pájaro": "bird", "caballo": "horse", "ballena": "whale", "ballenas": "whales", "tiburón": "shark",
    "tiburones": "sharks", "hielo": "ice", "glaciar": "glacier", "glaciares": "glaciers", "sol": "sun",
    "cielo": "sky", "nubes": "clouds", "música": "music", "guitarra": "guitar", "libro": "book",
    "libros": "books", "cerebro": "brain", "sueño": "sleep", "dormir": "sleeping", "ejercicio": "workout",
    "robot": "robot", "robots": "robots", "ordenador": "computer", "computadora": "computer",
    "teléfono": "phone", "fuego": "fire", "agua": "water", "abejas": "bees", "abeja": "bee",
    "hormigas": "ants", "pirámides": "pyramids", "castillo": "castle", "tren": "train", "avión": "airplane",
    # French
    "chat": "cat", "chats": "cats", "chien": "dog", "chiens": "dogs", "mer": "sea", "plage": "beach",
    "montagne": "mountain", "forêt": "forest", "volcan": "volcano", "espace": "space", "étoiles": "stars",
    "argent": "money", "cuisine": "kitchen", "ville": "city", "voiture": "car", "pluie": "rain",
    "neige": "snow", "arbre": "tree", "fleurs": "flowers", "oiseaux": "birds", "glace": "ice",
    "ciel": "sky", "musique": "music", "livre": "book", "cerveau": "brain", "feu": "fire", "eau": "water",
    # German
    "katze": "cat", "katzen": "cats", "hund": "dog", "hunde": "dogs", "meer": "sea", "strand": "beach",
    "berg": "mountain", "berge": "mountains", "wald": "forest", "vulkan": "volcano", "weltraum": "space",
    "sterne": "stars", "geld": "money", "kaffee": "coffee", "küche": "kitchen", "stadt": "city",
    "auto": "car", "regen": "rain", "schnee": "snow", "baum": "tree", "blumen": "flowers", "vögel": "birds",
    "eis": "ice", "himmel": "sky", "musik": "music", "buch": "book", "gehirn": "brain", "feuer": "fire",
    "wasser": "water",
    # Portuguese and Italian
    "cão": "dog", "cachorro": "dog", "praia": "beach", "floresta": "forest", "vulcão": "volcano",
    "dinheiro": "money", "cidade": "city", "chuva": "rain", "gatto": "cat", "gatti": "cats", "cane": "dog",
    "cani": "dogs", "spiaggia": "beach", "montagna": "mountain", "foresta": "forest", "vulcano": "volcano",
    "spazio": "space", "stelle": "stars", "soldi": "money", "caffè": "coffee", "città": "city",
    "pioggia": "rain", "neve": "snow",
}
GENERIC_TERMS = ("city street at night", "people walking", "sunrise over landscape", "hands writing notebook")
