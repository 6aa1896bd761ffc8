"""The offline script writer's words: narration templates, titles, and what the visuals are made of (pure data).

Every template says which kinds of topic it reads well with, as a prefix before ``|``:

    T  a thing or idea        "volcanoes", "the future of AI", "coffee"
    N  a name                 "Marie Curie", "Tokyo", "the Roman Empire"
    A  an activity or skill   "learning to cook", "saving money"
    C  a clause               "how volcanoes work", "why we dream"
    L  a list                 "5 ways to save money", "10 facts about octopuses"
    *  any of those, and a topic in another language (quoted as a title)

Placeholders: ``{t}`` the topic mid-sentence, ``{T}`` the topic starting a sentence (always before ":"),
``{secs}`` the video's length rounded up to ten seconds, in words ("thirty"). ``{t}`` only ever follows
a preposition or a verb that takes any noun phrase, and no verb agrees with it (a topic may be plural).
Question topics ("Why do cats purr?") have their own pools: ``{q}`` is the question, ``{t}`` its clause
("why cats purr") or "this question".
"""

from __future__ import annotations

__all__ = ["TEMPLATES", "QUESTION_TEMPLATES", "TITLES", "QUESTION_TITLES", "THEMES", "DEFAULT_SETTINGS",
           "DEFAULT_PALETTES", "SHOTS", "MOODS", "KINDS"]

KINDS = "TNACLF"

TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "default": {
        "hook": (
            "*|Stop scrolling: what you know about {t} is only half the story.",
            "*|Here's something about {t} that almost nobody talks about.",
            "*|What if everything you believed about {t} was about to change?",
            "*|{T}: a few things I wish someone had told me sooner.",
            "*|Give me {secs} seconds and I'll change how you think about {t}.",
            "TNA|You've been thinking about {t} all wrong, and here's why.",
            "C|Ever wondered {t}? Give me {secs} seconds.",
            "L|Here are {t}, and the last one surprised me most.",
        ),
        "point": (
            "*|Here's the first thing most people miss about {t}: the simple part matters most.",
            "*|Start with the big picture, because everything about {t} connects.",
            "TNC|To understand {t}, start with the simplest piece and build from there.",
            "TN|Most people never look closely at {t}, and that is where the surprises are.",
            "A|The first rule of {t}: the basics matter more than any shortcut.",
            "C|Here's the core idea behind {t}, and it's simpler than it sounds.",
            "L|Let's go through {t} one at a time, starting with the easiest.",
        ),
        "example": (
            "*|Look around today and you'll find examples of this almost everywhere.",
            "*|Think of an everyday example, and suddenly the whole picture clicks into place.",
            "T|Picture a regular day: you'll spot {t} in more places than you'd guess.",
            "A|Think about the people who are great at {t}; they all started as complete beginners.",
            "C|Picture it in slow motion, and you'll see {t} one step at a time.",
            "L|Picture using just one of {t} this week, and watch what changes.",
        ),
        "tip": (
            "*|Try this today: write down one question about {t} and go find the answer.",
            "*|Quick tip: learn one new thing about {t} every morning, and it adds up fast.",
            "A|My best tip: spend ten focused minutes a day on {t} and track what changes.",
            "TNC|Want to remember it? Explain {t} to a friend in one sentence tonight.",
            "L|Save this list of {t} so you can come back to it later.",
        ),
        "twist": (
            "*|And here's the twist: the more you learn about {t}, the simpler it gets.",
            "*|The surprising part? The best details about {t} rarely make the headlines.",
            "A|Plot twist: with {t}, it's less about talent and more about showing up.",
            "C|Plot twist: once you see {t}, you can't unsee it.",
        ),
        "cta": (
            "*|Follow for more about {t}, and comment what you want to know next!",
            "*|Comment your biggest question about {t} below, and follow so you don't miss part two.",
            "*|Save this, share it, and follow for more quick videos about {t}.",
            "*|If this changed how you think about {t}, share it with a friend and follow for more.",
        ),
    },
    "funny": {
        "hook": (
            "*|Stop scrolling: I need to talk about {t}, and it gets weird.",
            "*|Nobody asked, but here's my totally serious take on {t}.",
            "*|Warning: after this video about {t}, your group chat will never be the same.",
            "TNA|They said I couldn't make {t} funny. They were almost right.",
            "L|Here are {t}, ranked by how much they confused me.",
        ),
        "point": (
            "*|Fun fact: I learned more about {t} this week than in twelve years of school.",
            "*|Step one: act confident about {t}, even if your brain is buffering like old Wi-Fi.",
            "A|The basics of {t} are simple, which is exactly why we all overcomplicate them.",
            "C|Here's {t}, explained the way I wish my teacher had done it.",
        ),
        "example": (
            "*|Imagine explaining {t} to your grandma, and she somehow ends up teaching you instead.",
            "*|Picture a cat trying to understand {t}; that was me last Tuesday.",
            "A|Real story: I tried to master {t} in one afternoon, and the afternoon won.",
        ),
        "tip": (
            "*|Pro tip: learn about {t} in tiny bites, like snacks, but with fewer crumbs.",
            "*|Life hack: bring up {t} at parties and watch people suddenly remember other plans.",
            "A|Honest advice: go slow with {t}, because even superheroes needed a training montage.",
        ),
        "twist": (
            "*|Plot twist: the more I learned about {t}, the more my friends asked me for advice.",
            "*|And the twist? Knowing about {t} made me the weird expert in every group chat.",
        ),
        "cta": (
            "*|Follow for more chaotic takes on {t}, and comment your funniest story below!",
            "*|Share this with the friend who needs to hear about {t}, then follow for more.",
            "*|Comment a laughing emoji if this made you rethink {t}, and follow for part two.",
        ),
    },
    "serious": {
        "hook": (
            "*|This is the part of the story about {t} that most people never hear.",
            "*|Stop scrolling. What you're about to hear about {t} deserves your full attention.",
            "*|There is a hard truth about {t}, and it's time we talked about it.",
            "*|Before you form an opinion about {t}, you need to hear this.",
        ),
        "point": (
            "TNC|The facts come first: the real story of {t} is shaped by choices most people never see.",
            "*|Look closely at {t} and you'll find the same pattern repeating again and again.",
            "TNC|At its core, understanding {t} comes down to a few facts with real consequences.",
            "*|Here is what the evidence about {t} shows, once you look past the noise.",
        ),
        "example": (
            "*|One clear example: the people closest to this saw the changes coming long before anyone else.",
            "*|History shows that what we do about {t} today shapes what comes next.",
            "A|Consider what happens when people rush {t}: small mistakes quietly grow into big ones.",
        ),
        "tip": (
            "*|What you can do: check your sources on {t} and question every easy answer.",
            "*|Take it seriously: set aside time to read about {t} properly, not just the headlines.",
            "A|The practical step is simple: learn the basics of {t} before trusting anyone's opinion.",
        ),
        "twist": (
            "*|The uncomfortable truth: what happens with {t} affects you more than you might think.",
            "*|What matters most about {t} is rarely what gets the loudest headlines.",
        ),
        "cta": (
            "*|Follow for clear, honest breakdowns of {t}, and share this with someone who needs it.",
            "*|Comment your view on {t} below, and follow for the next part.",
            "*|If you care about {t}, share this video and follow for more.",
        ),
    },
    "inspiring": {
        "hook": (
            "*|What if learning about {t} could change your life more than you imagined?",
            "TNA|Stop scrolling: your journey with {t} starts right here, right now.",
            "*|This is your sign to finally learn about {t}.",
            "A|Everyone who's great at {t} started exactly where you are today.",
            "A|This is your sign to finally go all in on {t}.",
        ),
        "point": (
            "TNAC|Every expert on {t} was once a beginner who simply refused to give up.",
            "*|Everyone who understands {t} today was once a curious beginner.",
            "*|The secret to understanding {t} isn't talent; it's curiosity, patience and time.",
            "A|Growth with {t} happens quietly, one small brave step at a time.",
        ),
        "example": (
            "*|Picture yourself a year from now, explaining {t} with confidence because you started today.",
            "*|Imagine the sunrise after a long night; that's what finally understanding this feels like.",
            "A|Think of someone you admire; their story with {t} began with a single decision.",
        ),
        "tip": (
            "A|Start small: give {t} just fifteen minutes today, and celebrate that tiny win.",
            "*|Start small: spend fifteen minutes today learning about {t}, and celebrate that tiny win.",
            "*|Write one thing you want to learn about {t} on a sticky note and read it every morning.",
            "A|Find one person who loves {t} too, and grow together step by step.",
        ),
        "twist": (
            "*|And here's the beautiful part: there's room for you in the story of {t}, wherever you start.",
            "A|You don't need to be perfect at {t}; you just need to begin.",
            "*|The best part? Nobody is born knowing about {t}; everyone learns it one step at a time.",
        ),
        "cta": (
            "*|Follow for daily inspiration about {t}, and share this with someone who needs a push.",
            "*|Comment one thing you'll try after learning about {t}, and follow to keep going!",
            "*|Share this with a friend who's curious about {t}, and follow for more motivation.",
        ),
    },
    "educational": {
        "hook": (
            "*|Ever wondered what's really going on with {t}? Let's break it down.",
            "*|Stop scrolling: this is the quickest lesson about {t} you'll ever get.",
            "*|Let's learn something new today: the essentials of {t} in {secs} seconds.",
            "TNC|Here's {t}, explained simply in {secs} seconds.",
        ),
        "point": (
            "*|Lesson one: everything about {t} builds on a few simple core ideas.",
            "*|Start with the big picture, because understanding {t} is all about how the pieces connect.",
            "*|Key idea number one: the basics of {t} explain most of what you'll ever see.",
        ),
        "example": (
            "*|For example, look at everyday life and you'll spot these ideas in action.",
            "*|A simple way to understand {t} is to compare it with something you already know.",
            "A|Here's a real-world example: people practise {t} every day without noticing.",
        ),
        "tip": (
            "*|Study tip: explain {t} out loud to a friend, and the gaps in your knowledge appear instantly.",
            "*|Want to remember this? Sketch a quick diagram of {t} and keep it somewhere visible.",
            "*|Try this: read one short article about {t} today and sum it up in three sentences.",
        ),
        "twist": (
            "*|Common myth: learning about {t} is hard, but the core is surprisingly simple.",
            "*|Bonus fact: experts on {t} still learn something new every single year.",
        ),
        "cta": (
            "*|Follow for more bite-sized lessons on {t}, and comment what you want explained next!",
            "*|Save this, share it with a classmate, and follow to learn more about {t}.",
            "*|Comment one thing you learned about {t} today, and follow for the next lesson.",
        ),
    },
}

QUESTION_TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "default": {
        "hook": (
            "{q}? The real answer is stranger than you think.",
            "Stop scrolling: {q}? Most people get this one completely wrong.",
            "{q}? Give me {secs} seconds and you'll never forget the answer.",
            "Quick question: {q}? Let's find out together, right now.",
        ),
        "point": (
            "The short answer to {t} starts with something you see every single day.",
            "Here's the first clue: the answer hides in details most people never notice.",
            "To answer {t}, start with the simplest explanation, then look a little closer.",
        ),
        "example": (
            "People have wondered about {t} for a very long time, and the clues are everywhere.",
            "Picture it in slow motion: each small step builds toward the full answer.",
            "Think of an everyday example, and suddenly the whole answer clicks into place.",
        ),
        "tip": (
            "Want to check it yourself? Look up one trusted source about {t} today.",
            "Easy way to remember it: link the answer to a picture you see every day.",
            "Try this: explain the answer to a friend in one sentence, and see if it sticks.",
        ),
        "twist": (
            "And here's the twist: the real answer is even more interesting than the myth.",
            "The surprising part? Most people who explain {t} leave out the best bit.",
            "Plot twist: the simple answer is only the beginning of the story.",
        ),
        "cta": (
            "{q}? Now you know, so follow for more answers like this.",
            "{q}? Comment what surprised you most, and follow for more.",
            "{q}? Share this with a curious friend and follow for more answers.",
        ),
    },
    "funny": {
        "hook": ("{q}? I asked myself this at three in the morning.", "{q}? My brain would not let this one go."),
        "cta": ("{q}? Comment your wildest guess, then follow for more.",),
    },
    "serious": {
        "hook": ("{q}? The honest answer deserves your full attention.",),
        "cta": ("{q}? Share this with someone who should know, and follow.",),
    },
    "inspiring": {
        "hook": ("{q}? The answer might just change how you see everything.",),
        "cta": ("{q}? Keep asking big questions, and follow for more.",),
    },
    "educational": {
        "hook": ("{q}? Let's break it down step by step, simply.",),
        "cta": ("{q}? Follow for more quick lessons, and comment your next question.",),
    },
}

# {T} the topic in title case; {N} the video's length rounded up to ten seconds, in digits.
TITLES: dict[str, tuple[str, ...]] = {
    "default": ("*|The Truth About {T}", "*|{T}, Explained", "*|{T} in Under {N} Seconds",
                "*|What Nobody Tells You About {T}", "*|{T}: Know This First"),
    "funny": ("*|{T}, But Make It Funny", "*|My Chaotic Guide to {T}", "TNAC|{T}: A Comedy in Parts"),
    "serious": ("*|The Hard Truth About {T}", "*|{T}: What's Really Going On", "*|What You Need to Know About {T}"),
    "inspiring": ("A|{T}: Start Today", "A|Your Journey with {T}", "*|Why You Should Care About {T}",
                  "L|{T} That Can Change Your Year"),
    "educational": ("*|{T}, Explained Simply", "TA|{T} 101", "ACL|Learn {T} in Under {N} Seconds"),
}
QUESTION_TITLES = ("{Q}?", "{Q}? Explained", "{Q}? The Answer", "{Q}? Answered in Under {N} Seconds")

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
DEFAULT_SETTINGS = ("in warm golden light", "against a clean, bold background", "in soft morning light",
                    "under dramatic studio lights", "as a bold graphic illustration")
DEFAULT_PALETTES = ("warm golden", "cool blue and teal", "vibrant rainbow", "moody purple and orange")

SHOTS = {
    "hook": ("Dramatic fast zoom into", "Extreme close-up of", "Whip-pan reveal of", "Slow-motion push-in on"),
    "body": ("Wide establishing shot of", "Slow dolly shot across", "Overhead shot of", "Close-up of",
             "Smooth tracking shot past", "Time-lapse of", "Handheld shot of"),
    "cta": ("Slow zoom out from", "Bold 'follow for more' text over", "Final wide shot of"),
}
MOODS = {
    "default": ("vibrant cinematic colours", "bold high-contrast look", "rich cinematic lighting"),
    "funny": ("bright playful colours", "bouncy cartoonish energy", "sunny saturated colours"),
    "serious": ("dark moody lighting", "muted cinematic shadows", "cold blue-grey atmosphere"),
    "inspiring": ("warm golden sunrise glow", "uplifting soft light", "glowing golden-hour warmth"),
    "educational": ("clean bright lighting", "crisp clean look with clear labels", "calm even lighting"),
}
