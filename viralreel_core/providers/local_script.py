"""The offline script writer: any topic to a 3–6 scene short-video script, with templates, no LLM.

The script is a **hook**, one to four **body** scenes and a **call to action**. Wording comes from
tone-specific template pools, picked by a ``random.Random`` seeded from the topic, seed and tone, so
the same request always gives the same script and a different topic, seed or tone gives another.

The topic is fitted into sentences first (:func:`topic_parts`): whitespace, hashtags, emoji and
trailing punctuation are cleaned, "make a video about …" lead-ins dropped, long topics cut to a
short phrase, a leading common word lower-cased mid-sentence ("The future of AI" → "…about the
future of AI"), and a question topic kept as a question ("Why do cats purr?") and, where a simple
rule allows, turned into a clause ("…now you know why cats purr").

Visuals name a shot, a concrete subject and colour/mood words ("a neon city at night, electric
blue and neon purple tones") taken from a theme matched on the topic's words, so that procedural
and stock-footage clip makers both get something to work with.
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import BadInput
from ..limits import MAX_SCENES, MAX_TOPIC_CHARS, MIN_SCENES
from ..models import Scene, Script
from .base import ScriptRequest, ScriptWriter

__all__ = [
    "LocalScriptWriter",
    "TopicParts",
    "topic_parts",
    "normalize_tone",
    "TEMPLATES",
    "QUESTION_TEMPLATES",
    "TONES",
    "MIN_WORDS",
    "MAX_WORDS",
    "PHRASE_MAX_WORDS",
    "QUESTION_MAX_WORDS",
]

MODEL = "template-v1"  # bump whenever the same request starts giving a different script
MIN_WORDS, MAX_WORDS = 8, 22  # per narration
PHRASE_MAX_WORDS = 8  # a statement topic as spoken inside a sentence (every pool fits 14 fixed words)
QUESTION_MAX_WORDS = 10  # a question topic, asked whole in the hook and the call to action
PHRASE_MAX_CHARS = 70
UNSPACED_MAX_CHARS = 24  # a topic in a script without spaces (Chinese, Japanese, Thai…)
FALLBACK_REF = "this question"  # what body scenes call a question that has no clause form

# ---------------------------------------------------------------------------------------------
# Templates. Placeholders: {t} the topic mid-sentence, {T} the topic starting a sentence (always
# followed by ":"), {q} a question topic starting a sentence (always followed by "?").
# Every template is one or two sentences; the topic only ever follows a preposition or a verb, or
# starts a sentence before ":" or "?", so any noun phrase, gerund or clause reads naturally.
# ---------------------------------------------------------------------------------------------

BODY_ROLES = ("point", "example", "tip", "twist")
_BODY_PLAN = {
    1: ("point",),
    2: ("point", "tip"),
    3: ("point", "example", "tip"),
    4: ("point", "example", "tip", "twist"),
}

TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "default": {
        "hook": (
            "Stop scrolling: what you know about {t} is only half the story.",
            "Here's something about {t} that almost nobody talks about.",
            "What if everything you believed about {t} was about to change?",
            "You've been thinking about {t} all wrong, and here's why.",
            "{T}: a few things I wish someone had told me sooner.",
            "Give me thirty seconds and {t} will never look the same again.",
        ),
        "point": (
            "The first thing to understand about {t} is that the basics matter more than the hype.",
            "Most people skip the fundamentals of {t}, and that is exactly where the magic hides.",
            "Here's the core idea: with {t}, small steady steps beat big dramatic leaps.",
        ),
        "example": (
            "Picture a regular day: one small choice around {t} quietly changes how everything turns out.",
            "Think about the people who are great at {t}; they all started as complete beginners.",
            "A simple example: notice {t} for one week and you'll start seeing patterns everywhere.",
        ),
        "tip": (
            "My best tip: spend ten focused minutes a day on {t} and track what changes.",
            "Try this today: write down one question about {t} and go find the answer.",
            "Quick tip: learn one new thing about {t} every morning, and it adds up fast.",
        ),
        "twist": (
            "And here's the twist: the more you learn about {t}, the simpler it gets.",
            "The surprising part? The biggest wins with {t} come from the smallest details.",
            "Plot twist: with {t}, it's less about talent and more about showing up.",
        ),
        "cta": (
            "Follow for more about {t}, and comment what you want to know next!",
            "If this changed how you see {t}, share it with a friend and follow for more.",
            "Comment your biggest question about {t} below, and follow so you don't miss part two.",
            "Save this, share it, and follow for more quick videos about {t}.",
        ),
    },
    "funny": {
        "hook": (
            "Stop scrolling: I need to talk about {t}, and it gets weird.",
            "Nobody asked, but here's my totally serious take on {t}.",
            "Warning: after this video about {t}, your group chat will never be the same.",
            "Me, pretending to be an expert on {t} after watching exactly one video.",
            "They said I couldn't make {t} funny. They were almost right.",
        ),
        "point": (
            "Step one with {t}: act confident, even if your brain is buffering like old Wi-Fi.",
            "Fun fact: I learned more about {t} this week than in twelve years of school.",
            "The basics of {t} are simple, which is exactly why we all overcomplicate them.",
        ),
        "example": (
            "Imagine explaining {t} to your grandma, and she somehow ends up teaching you instead.",
            "Picture a cat trying to understand {t}; that was me last Tuesday.",
            "Real story: I tried to master {t} in one afternoon, and the afternoon won.",
        ),
        "tip": (
            "Pro tip: learn {t} in tiny bites, like snacks, but with fewer crumbs.",
            "Life hack: bring up {t} at parties and watch people suddenly remember other plans.",
            "Honest advice: go slow with {t}, because even superheroes needed a training montage.",
        ),
        "twist": (
            "Plot twist: the more I learned about {t}, the more my friends asked me for advice.",
            "And the twist? Understanding {t} made me the weird expert in every group chat.",
            "Surprise ending: once you get {t}, it's honestly kind of addictive.",
        ),
        "cta": (
            "Follow for more chaotic takes on {t}, and comment your funniest story below!",
            "Share this with the friend who needs to hear about {t}, then follow for more.",
            "Comment a laughing emoji if this made you rethink {t}, and follow for part two.",
        ),
    },
    "serious": {
        "hook": (
            "This is the part of {t} that most people never hear about.",
            "Stop scrolling. What's happening with {t} deserves your full attention.",
            "There is a hard truth about {t}, and it's time we talked about it.",
            "Before you form an opinion on {t}, you need to hear this.",
        ),
        "point": (
            "The facts come first: the real story of {t} is shaped by decisions most people never see.",
            "At its core, the debate around {t} comes down to a few choices with real consequences.",
            "Look closely at {t} and you'll find the same pattern repeating again and again.",
        ),
        "example": (
            "Consider what happens when people ignore {t}: small problems quietly grow into big ones.",
            "One clear example: the people closest to {t} saw the changes coming long before anyone else.",
            "History shows that how we handle {t} today shapes what comes next.",
        ),
        "tip": (
            "What you can do: check your sources on {t} and question every easy answer.",
            "The practical step is simple: learn the basics of {t} before trusting anyone's opinion.",
            "Take it seriously: set aside time to understand {t} properly, not just the headlines.",
        ),
        "twist": (
            "The uncomfortable truth is that {t} affects you more than you might think.",
            "What matters most about {t} is rarely what gets the loudest headlines.",
            "And remember: the real story of {t} is still being written right now.",
        ),
        "cta": (
            "Follow for clear, honest breakdowns of {t}, and share this with someone who needs it.",
            "Comment your view on {t} below, and follow for the next part.",
            "If you care about {t}, share this video and follow for more.",
        ),
    },
    "inspiring": {
        "hook": (
            "What if learning about {t} could change your life more than you imagined?",
            "Stop scrolling: your journey with {t} starts right here, right now.",
            "Everyone who's great at {t} started exactly where you are today.",
            "This is your sign to finally go all in on {t}.",
        ),
        "point": (
            "Every expert in {t} was once a beginner who simply refused to give up.",
            "The secret of {t} isn't talent; it's curiosity, patience and showing up every day.",
            "Growth with {t} happens quietly, one small brave step at a time.",
        ),
        "example": (
            "Picture yourself a year from now, confident with {t} because you started today.",
            "Think of someone you admire; their story with {t} began with a single decision.",
            "Imagine the sunrise after a long night; that's what progress with {t} feels like.",
        ),
        "tip": (
            "Start small: give {t} just fifteen minutes today, and celebrate that tiny win.",
            "Write one goal for {t} on a sticky note and read it every morning.",
            "Find one person who loves {t} too, and grow together step by step.",
        ),
        "twist": (
            "And here's the beautiful part: with {t}, every setback is secretly a setup for a comeback.",
            "The best part? There's room for you in {t}, no matter where you start.",
            "You don't need to be perfect at {t}; you just need to begin.",
        ),
        "cta": (
            "Follow for daily inspiration about {t}, and share this with someone who needs a push.",
            "Comment one goal you have for {t}, and follow to keep the momentum going!",
            "Share this with a friend chasing {t}, and follow for more motivation.",
        ),
    },
    "educational": {
        "hook": (
            "Here's {t}, explained simply in under a minute.",
            "Ever wondered what's really going on with {t}? Let's break it down.",
            "Stop scrolling: this is the quickest lesson on {t} you'll ever get.",
            "Let's learn something new today: the essentials of {t} in sixty seconds.",
        ),
        "point": (
            "Lesson one: every part of {t} builds on a few simple core ideas.",
            "Start with the big picture, because understanding {t} is all about how the pieces connect.",
            "Key idea number one: the basics of {t} explain most of what you'll ever see.",
        ),
        "example": (
            "For example, look at {t} in everyday life and you'll spot these ideas in action.",
            "Here's a real-world example: people use ideas from {t} every day without noticing.",
            "A simple way to picture {t} is to compare it with something you already know.",
        ),
        "tip": (
            "Study tip: explain {t} out loud to a friend, and the gaps in your knowledge appear instantly.",
            "Want to remember this? Sketch a quick diagram of {t} and keep it somewhere visible.",
            "Try this: read one short article about {t} today and sum it up in three sentences.",
        ),
        "twist": (
            "Common myth: many people find {t} complicated, but the core is surprisingly simple.",
            "Bonus fact: experts in {t} still learn something new every single year.",
            "Quick recap: the basics of {t} unlock everything else, so master them first.",
        ),
        "cta": (
            "Follow for more bite-sized lessons on {t}, and comment what you want explained next!",
            "Save this, share it with a classmate, and follow to learn more about {t}.",
            "Comment one thing you learned about {t} today, and follow for the next lesson.",
        ),
    },
}

# A question topic ("Why do cats purr?") opens with the question itself and closes on it; in between,
# {t} is its clause form ("why cats purr") or "this question", so body templates only use {t} after
# "about", "to" or "explain". Tone sets add their own hooks and calls to action to the default ones.
QUESTION_TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "default": {
        "point": (
            "The short answer to {t} starts with something you see every single day.",
            "Here's the first clue: the answer hides in details most people never notice.",
            "To understand {t}, start with the simplest explanation, then look a little closer.",
        ),
        "example": (
            "People have wondered about {t} for a very long time, and the clues are everywhere.",
            "Picture it in slow motion: each small step builds toward the full answer.",
            "Think of an everyday example, and suddenly the whole answer clicks into place.",
        ),
        "tip": (
            "Want to check it yourself? Look up one trusted source about {t} today.",
            "Easy way to remember it: link the answer to a picture you see every day.",
            "Try this: explain {t} to a friend in one sentence, and see if it sticks.",
        ),
        "twist": (
            "And here's the twist: the real answer is even more interesting than the myth.",
            "The surprising part? Most people who explain {t} leave out the best bit.",
            "Plot twist: the simple answer is only the beginning of the story.",
        ),
        "hook": (
            "{q}? The real answer is stranger than you think.",
            "Stop scrolling: {q}? Most people get this one completely wrong.",
            "{q}? Give me thirty seconds and you'll never forget the answer.",
            "Quick question: {q}? Let's find out together, right now.",
        ),
        "cta": (
            "{q}? Now you know, so follow for more answers like this.",
            "{q}? Comment what surprised you most, and follow for more.",
            "{q}? Share this with a curious friend and follow for more answers.",
        ),
    },
    "funny": {
        "hook": (
            "{q}? I asked myself this at three in the morning.",
            "{q}? My brain would not let this one go.",
        ),
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

TONES = tuple(TEMPLATES)
_TONE_ALIASES = {
    "": "default", "default": "default", "neutral": "default", "casual": "default", "viral": "default",
    "funny": "funny", "fun": "funny", "humorous": "funny", "humor": "funny", "humour": "funny",
    "comedy": "funny", "playful": "funny", "silly": "funny", "witty": "funny",
    "serious": "serious", "dramatic": "serious", "professional": "serious", "formal": "serious",
    "dark": "serious", "documentary": "serious", "news": "serious",
    "inspiring": "inspiring", "inspirational": "inspiring", "motivational": "inspiring",
    "motivating": "inspiring", "uplifting": "inspiring", "positive": "inspiring",
    "educational": "educational", "informative": "educational", "explainer": "educational",
    "teaching": "educational", "instructive": "educational", "academic": "educational",
}

_TITLES: dict[str, tuple[str, ...]] = {
    "default": ("The Truth About {T}", "{T}, Explained", "{T} in 60 Seconds",
                "What Nobody Tells You About {T}", "{T}: Know This First"),
    "funny": ("{T}, But Make It Funny", "My Chaotic Guide to {T}", "{T}: A Comedy in Parts"),
    "serious": ("The Hard Truth About {T}", "{T}: What's Really Going On", "What You Need to Know About {T}"),
    "inspiring": ("{T}: Start Today", "Your Journey with {T}", "Believe in {T}"),
    "educational": ("{T}, Explained Simply", "{T} 101", "Learn {T} in 60 Seconds"),
}
_QUESTION_TITLES = ("{Q}?", "{Q}? Explained", "{Q}? The Answer")
TITLE_MAX_CHARS = 60

# ---------------------------------------------------------------------------------------------
# Visuals: a shot for the scene's role, a subject from the topic's theme, its palette, the tone's mood.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Theme:
    triggers: tuple[str, ...]
    motifs: tuple[str, ...]
    palette: str


_THEMES: dict[str, _Theme] = {
    "tech": _Theme(
        ("ai", "a.i", "robot", "robotics", "tech", "technology", "computer", "code", "coding", "program",
         "programming", "software", "app", "digital", "internet", "cyber", "cybersecurity", "data",
         "chip", "gadget", "phone", "smartphone", "iphone", "android", "future", "futuristic", "virtual",
         "metaverse", "algorithm", "machine", "chatgpt", "gpt", "automation", "python", "javascript",
         "hacker", "hacking", "web", "online", "tesla", "electric", "vr",
         "人工智能", "智能", "科技", "电脑", "未来", "机器人", "ロボット", "技術"),
        ("a neon city at night", "a glowing blue circuit board",
         "a sleek robot hand reaching toward the camera", "holographic data streams in a dark room",
         "a futuristic control room full of glowing screens"),
        "electric blue and neon purple",
    ),
    "money": _Theme(
        ("money", "finance", "financial", "invest", "investing", "investment", "stock", "stocks", "rich",
         "wealth", "budget", "budgeting", "savings", "debt", "income", "business",
         "startup", "economy", "salary", "market", "dollar", "dollars", "crypto", "bitcoin", "blockchain",
         "bank", "banking", "millionaire", "retirement", "tax", "taxes", "side hustle", "hustle",
         "钱", "金融", "投资", "经济"),
        ("a stack of golden coins", "green stock charts rising on a screen",
         "a wallet full of cash on a desk", "a city skyline at golden hour",
         "hands counting crisp banknotes"),
        "gold and emerald green",
    ),
    "ocean": _Theme(
        ("ocean", "oceans", "sea", "beach", "fish", "whale", "shark", "water", "coral", "surf", "surfing",
         "island", "marine", "dolphin", "octopus", "wave", "waves", "underwater", "海", "海洋"),
        ("a deep blue ocean seen from above", "sunlight rays under turquoise water",
         "a coral reef full of colourful fish", "waves crashing on a white sand beach"),
        "deep blue and turquoise",
    ),
    "space": _Theme(
        ("space", "planet", "planets", "star", "stars", "galaxy", "nasa", "mars", "moon", "universe",
         "astronaut", "rocket", "cosmos", "astronomy", "alien", "aliens", "spacex", "orbit", "telescope",
         "太空", "宇宙", "星", "宇宙"),
        ("a starry purple galaxy", "a glowing planet rising over the horizon",
         "a rocket launching into a dark sky", "an astronaut floating above the earth"),
        "deep purple and starlight silver",
    ),
    "science": _Theme(
        ("science", "quantum", "physics", "chemistry", "biology", "atom", "atoms", "dna", "gene", "genes",
         "evolution", "experiment", "lab", "scientist", "scientists", "energy", "科学", "物理"),
        ("glowing particles swirling in a dark lab", "a colourful chemistry experiment bubbling",
         "a microscope under cool blue light", "a glowing double helix turning slowly"),
        "cool cyan and violet",
    ),
    "nature": _Theme(
        ("nature", "mountain", "mountains", "forest", "hike", "hiking", "tree", "trees", "camping", "climate",
         "earth", "environment", "weather", "garden", "gardening", "plant", "plants", "flower", "flowers",
         "travel", "traveling", "travelling", "adventure", "river", "volcano", "rain", "sustainability",
         "山", "自然", "旅行"),
        ("a sunrise over mountains", "a misty green forest at dawn",
         "a winding river through a golden valley", "wildflowers swaying in warm light"),
        "warm gold and fresh green",
    ),
    "food": _Theme(
        ("food", "cook", "cooking", "recipe", "recipes", "pizza", "coffee", "tea", "bake", "baking", "bread",
         "chocolate", "eat", "eating", "kitchen", "chef", "meal", "meals", "lasagna", "pasta", "sushi",
         "burger", "breakfast", "dinner", "lunch", "dessert", "cake", "sourdough", "vegan", "wine",
         "吃", "食", "美食", "料理"),
        ("a sizzling pan in a warm kitchen", "steam rising from a fresh cup of coffee",
         "colourful ingredients on a wooden table", "a chef plating food under warm lights"),
        "warm orange and rich brown",
    ),
    "fitness": _Theme(
        ("fitness", "gym", "workout", "exercise", "run", "running", "health", "healthy", "sleep", "muscle",
         "yoga", "sport", "sports", "football", "soccer", "basketball", "weight", "diet", "marathon",
         "training", "cardio", "健康", "运动"),
        ("a runner on a track at sunrise", "a dumbbell in a bright gym", "a yoga mat by a window at dawn",
         "sweat drops in dramatic side light"),
        "energetic red and bright white",
    ),
    "animals": _Theme(
        ("cat", "dog", "pet", "puppy", "puppies", "kitten", "animal", "bird", "wildlife", "horse", "lion",
         "tiger", "bear", "purr", "wolf", "elephant", "猫", "狗", "动物"),
        ("a fluffy cat in a sunbeam", "a playful puppy on green grass", "wild animals at golden hour",
         "a curious pet looking into the camera"),
        "soft golden and warm cream",
    ),
    "history": _Theme(
        ("history", "historical", "ancient", "war", "empire", "rome", "roman", "romans", "egypt", "pyramid",
         "medieval", "king", "queen", "castle", "museum", "viking", "vikings", "dinosaur", "civilization",
         "历史", "古代"),
        ("an old map under candlelight", "ancient stone ruins at dusk", "a dusty library full of old books",
         "a marble statue in dramatic light"),
        "sepia and warm amber",
    ),
    "music": _Theme(
        ("music", "song", "songs", "guitar", "piano", "concert", "band", "sing", "singing", "rap", "dance",
         "dancing", "dj", "album", "musician", "音乐"),
        ("purple stage lights over a cheering crowd", "a guitar under a warm spotlight",
         "a glowing vinyl record spinning", "dancers in colourful neon light"),
        "vivid purple and hot pink",
    ),
    "mind": _Theme(
        ("mind", "brain", "psychology", "habit", "mental", "focus", "productivity", "productive", "study",
         "studying", "learn", "learning", "school", "book", "read", "reading", "motivation", "success",
         "dream", "dreams", "happiness", "stress", "anxiety", "meditation", "mindset", "学习", "心理"),
        ("a glowing brain made of light", "a tidy desk with an open notebook at sunrise",
         "a person thinking by a rainy window", "light bulbs flickering on in the dark"),
        "calm teal and warm yellow",
    ),
    "love": _Theme(
        ("love", "relationship", "dating", "friend", "friendship", "family", "wedding", "marriage",
         "romance", "kid", "kids", "parent", "parenting", "baby", "babies", "mom", "dad", "爱", "家庭"),
        ("a pink sunset over a city rooftop", "two hands holding under warm fairy lights",
         "a family laughing around a dinner table", "a heart drawn in the sand at sunset"),
        "soft pink and warm peach",
    ),
    "art": _Theme(
        ("art", "artist", "fashion", "design", "paint", "painting", "photo", "photography", "style", "makeup",
         "beauty", "film", "movie", "movies", "drawing", "creative", "creativity", "艺术", "电影"),
        ("colourful paint splashing in slow motion", "a bright studio with canvases on the walls",
         "a camera lens catching rainbow light", "a model walking under bold spotlights"),
        "bold primary red, yellow and blue",
    ),
}
_DEFAULT_MOTIFS = (
    "a sunrise over mountains", "a neon city at night", "colourful paint splashing in slow motion",
    "a busy city street at golden hour", "a person looking amazed at a glowing screen",
    "a deep blue ocean horizon", "golden light streaming through a window",
)
_DEFAULT_PALETTES = ("warm golden", "cool blue and teal", "vibrant rainbow", "moody purple and orange")

_SHOTS = {
    "hook": ("Dramatic fast zoom into", "Extreme close-up of", "Whip-pan reveal of",
             "Slow-motion push-in on"),
    "body": ("Wide establishing shot of", "Slow dolly shot across", "Overhead shot of", "Close-up of",
             "Smooth tracking shot past", "Time-lapse of", "Handheld shot of"),
    "cta": ("Smiling creator pointing at the camera in front of", "Slow zoom out from",
            "Bold 'follow for more' text over"),
}
_MOODS = {
    "default": ("vibrant cinematic colours", "bold high-contrast look", "rich cinematic lighting"),
    "funny": ("bright playful colours", "bouncy cartoonish energy", "sunny saturated colours"),
    "serious": ("dark moody lighting", "muted cinematic shadows", "cold blue-grey atmosphere"),
    "inspiring": ("warm golden sunrise glow", "uplifting soft light", "glowing golden-hour warmth"),
    "educational": ("clean bright lighting", "crisp white background with clear labels",
                    "calm even lighting"),
}

# ---------------------------------------------------------------------------------------------
# Fitting the topic into sentences.
# ---------------------------------------------------------------------------------------------

_FUNCTION_WORDS = frozenset("""
a an the this that these those my your our their his her its some any every each all no one
how why what when where who which whose whether if is are was were be do does did can could should
would will might must may shall have has had to in on at of for with from by about into over under
and or but so as than then not i we you they he she it me us them there here top best most more
""".split())
# a capitalised leading word lowered mid-sentence only if it is clearly a common word
_COMMON_LEADING = _FUNCTION_WORDS | frozenset("""
learning making building cooking saving living running writing reading working starting investing
traveling travelling growing eating sleeping using creating becoming finding getting being dating
life money history future science secrets secret truth tips tricks hacks ways reasons facts myths
things people world home work love health food easy simple quick healthy new old big small why
understanding mastering improving raising training studying teaching losing
music art food coffee tea sleep travel science space nature animals cats dogs pets sports fitness
exercise fashion beauty design photography movies films books games gaming video videos social media
climate weather ocean oceans water planets stars history technology tech business marketing careers
jobs school college university education parenting kids children family friends friendship dating
relationships marriage productivity habits motivation meditation mindfulness stress anxiety happiness
cooking baking recipes pizza bread chocolate breakfast dinner gardening plants flowers trees dinosaurs
robots cars bikes houses cities countries languages words math physics chemistry biology medicine
crypto investing stocks saving budgeting taxes weddings holidays christmas summer winter
ten five three two first last
""".split())
_STOPWORDS = _FUNCTION_WORDS | frozenset("""
really very just also even still much many way ways thing things get got make made know about
""".split())
_WH = frozenset({"what", "why", "how", "where", "when", "who", "which"})
_MODALS = frozenset({"can", "could", "should", "would", "will", "might", "must"})
_BE = frozenset({"is", "are", "was", "were"})
_AUX = _MODALS | _BE | frozenset({"do", "does", "did", "has", "have", "had"})
_PRONOUNS = frozenset({"i", "you", "we", "they"})
_QUESTION_OPENERS = _BE | _MODALS | frozenset({"does", "did"})  # a question even without "?"
_SMALL_TITLE_WORDS = frozenset("a an the and or but of in on at to for by with from as vs via".split())

_LEAD_IN = re.compile(
    r"^(?:.{0,60}?\b)?(?:a|an|the|some|my|one|this)\s+(?:\w+\s+){0,2}?"
    r"(?:video|videos|reel|reels|short|shorts|tiktok|tiktoks|clip|clips|script|post)\s+"
    r"(?:about|on|regarding|explaining|covering)\s+(?=\S)",
    re.IGNORECASE,
)
_ASK_LEAD_IN = re.compile(
    r"^(?:(?:tell|teach|show) (?:me|us)(?: all)? about|talk about|write about|explain(?: to me)?|describe)"
    r"\s+(?=\S)", re.I)
_POLITE = re.compile(r"^(?:please|pls|plz|hey|hi)[\s,]+|[\s,]+(?:please|pls|plz|thanks|thank you)$", re.I)
_AUDIENCE = re.compile(r"\s+(?:to|for)\s+(?:a\s+)?(?:\d+|five|ten)[\s-]*years?[\s-]*olds?$", re.I)
_QUESTION_BREAK = re.compile(
    r"\s*,\s*|\s+(?=(?:when|if|because|since|while|even though|although|given)\s)", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])")
_CLAUSE_BREAK = re.compile(r"\s*[,;:(\[]\s*|\s+[-–—]\s+|[，、；：（]")
_TRAILING = ".,;:!?…-–—·•。！？，、；：~ \t"
_LEADING = "¿¡-–—*•·:;,.~> \t"
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’", "«": "»", "„": "“", "「": "」", "『": "』"}
_ZERO_WIDTH = {"\u200d", "\ufe0e", "\ufe0f", "\u20e3"}
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f\uf900-\ufaff]")


@dataclass(frozen=True)
class TopicParts:
    """The topic, fitted for speech.

    ``mid``/``start``: the phrase inside / starting a sentence. For a question topic ``question`` is
    the question without its "?" (starting a sentence) and ``clause`` its embedded form when one can be
    derived ("why cats purr"); ``mid``/``start`` are then the clause or :data:`FALLBACK_REF`.
    ``keywords`` are content words for visuals; ``words`` every word of the topic, lower-cased.
    """

    mid: str
    start: str
    question: str | None
    clause: str | None
    keywords: str
    words: tuple[str, ...]


def normalize_tone(tone: str) -> str:
    """The template set for ``tone``: one of :data:`TONES` (unknown tones use "default")."""
    key = re.sub(r"[^a-z]", "", (tone or "").lower())
    return _TONE_ALIASES.get(key, "default")


def _strip_symbols(text: str) -> str:
    """``text`` without emoji and pictographs (category So/Cs/Co, joiners, keycaps) and hashtag signs."""
    kept = "".join(" " if unicodedata.category(ch) in ("So", "Cs", "Co") else ch
                   for ch in text if ch not in _ZERO_WIDTH)
    kept = re.sub(r"(?<!\S)#(?=\w)", "", kept)
    return " ".join(kept.split())


def _trim(text: str) -> str:
    """``text`` without leading/trailing punctuation, wrapping quotes or unbalanced brackets."""
    prev = None
    while text != prev:
        prev = text
        text = text.strip().lstrip(_LEADING).rstrip(_TRAILING)
        if len(text) >= 2 and _QUOTES.get(text[0]) == text[-1]:
            text = text[1:-1]
        elif text[:1] in _QUOTES and _QUOTES[text[:1]] not in text[1:]:
            text = text[1:]
        elif text[-1:] in _QUOTES.values() and not any(o in text[:-1] for o, c in _QUOTES.items()
                                                        if c == text[-1]):
            text = text[:-1]
        if text.endswith(")") and text.count("(") < text.count(")"):
            text = text[:-1]
        if text.startswith("(") and text.count("(") > text.count(")"):
            text = text[1:]
    return text


def _is_unspaced(text: str) -> bool:
    return bool(_UNSPACED.search(text))


def _bare(word: str) -> str:
    return word.strip(".,;:!?\"'“”‘’()[]{}«»…").lower()


def _lower_leading(phrase: str) -> str:
    """``phrase`` for mid-sentence: a capitalised leading common word lower-cased ("The" → "the")."""
    first, _, rest = phrase.partition(" ")
    if _bare(first) in _COMMON_LEADING and first == first[:1].upper() + first[1:].lower():
        first = first.lower()
    return f"{first} {rest}" if rest else first


def _upper_leading(phrase: str) -> str:
    """``phrase`` starting a sentence: an all-lower-case first word capitalised ("iPhone" stays)."""
    first = phrase.split(" ", 1)[0]
    if first.islower() and first[:1].isalpha() and first[:1].islower():
        return phrase[:1].upper() + phrase[1:]
    return phrase


def _drop_trailing_stopwords(words: list[str]) -> list[str]:
    words = [w for w in words if w]
    while len(words) > 1 and _bare(words[-1]) in _FUNCTION_WORDS:
        words.pop()
    return words


def _shorten(text: str, max_words: int = PHRASE_MAX_WORDS) -> str:
    """At most ``max_words`` words (or a short span of an unspaced script), cut at a clause if possible."""
    words = text.split()
    if len(words) > max_words:
        clause = _CLAUSE_BREAK.split(text, maxsplit=1)[0]
        if 2 <= len(clause.split()) <= max_words:
            text = clause
        else:
            text = " ".join(_drop_trailing_stopwords(words[:max_words]))
    limit = UNSPACED_MAX_CHARS if _is_unspaced(text) else PHRASE_MAX_CHARS
    if len(text) > limit:
        clause = _CLAUSE_BREAK.split(text, maxsplit=1)[0].strip()
        if 0 < len(clause) <= limit:
            text = clause
        elif " " in text[:limit]:
            text = " ".join(_drop_trailing_stopwords(text[:limit + 1].split()[:-1]))
        else:  # one very long "word": a run of unspaced script, a URL, a keyboard mash
            text = text[:UNSPACED_MAX_CHARS]
    return _trim(text) or text


def _sentences(text: str) -> list[str]:
    return [s for s in (_trim(p) for p in _SENTENCE_END.split(text)) if s]


def _question_clause(question: str) -> str | None:
    """"Why do cats purr" → "why cats purr"; None when no simple rule makes a grammatical clause."""
    tokens = question.split()
    low = [_bare(t) for t in tokens]
    if len(tokens) < 2:
        return None
    wh, rest = low[0], tokens[1:]
    if wh in ("what's", "who's", "how's", "where's"):
        return " ".join([wh, *rest])
    if wh not in _WH or len(tokens) < 3:
        return None
    aux, subject = low[1], low[2]
    to_form = wh in ("how", "what", "where", "when", "which")
    if aux == "do":
        if subject in _PRONOUNS and subject != "they" and to_form and len(tokens) > 3:
            return " ".join([wh, "to", *tokens[3:]])  # "how do I cook rice" → "how to cook rice"
        return " ".join([wh, *tokens[2:]])  # "why do cats purr" → "why cats purr"
    if aux in _MODALS and subject in _PRONOUNS and len(tokens) > 3:
        if to_form and aux in ("can", "should", "could") and subject != "they":
            return " ".join([wh, "to", *tokens[3:]])  # "how can I save money" → "how to save money"
        return " ".join([wh, tokens[2], tokens[1], *tokens[3:]])  # "why should you…" → "why you should…"
    if aux in _BE and wh in ("what", "who") and not subject.endswith("ing"):
        return " ".join([wh, *tokens[2:], tokens[1]])  # "what is dark matter" → "what dark matter is"
    if wh in ("who", "what") and aux not in _AUX and subject not in _AUX:
        return " ".join([wh, *tokens[1:]])  # "who invented the internet" stays as it is
    return None


def _looks_like_question(text: str) -> bool:
    low = [_bare(t) for t in text.split()]
    if len(low) < 3:
        return False
    if low[0] in _WH and low[1] in _AUX:
        return True
    return low[0] in _QUESTION_OPENERS


def _shorten_question(question: str) -> str:
    """A question of at most QUESTION_MAX_WORDS words, cut before "when / if / because…" if it is longer."""
    if len(question.split()) <= QUESTION_MAX_WORDS:
        return question
    head = _QUESTION_BREAK.split(question, maxsplit=1)[0]
    if 3 <= len(head.split()) <= QUESTION_MAX_WORDS:
        return head
    return " ".join(_drop_trailing_stopwords(question.split()[:QUESTION_MAX_WORDS]))


def _question_of(raw: str, text: str) -> str | None:
    """The question a topic asks, if it asks one: its last sentence when that ends in "?"."""
    stripped = _strip_symbols(raw).rstrip(" \t\"'”’»)」』")
    if stripped.endswith(("?", "？")):
        pieces = [p for p in _SENTENCE_END.split(stripped) if p.strip()]
        if len(text.split()) <= QUESTION_MAX_WORDS and all(p.rstrip().endswith(("?", "？")) for p in pieces):
            question = text  # "Cats? Dogs? Which is better?" stays whole
        else:
            question = _trim(pieces[-1])
        if _is_unspaced(question) and len(question) > UNSPACED_MAX_CHARS:
            return None
        return _shorten_question(question) or None
    if len(_sentences(text)) == 1 and len(text.split()) <= QUESTION_MAX_WORDS and _looks_like_question(text):
        return text
    return None


def _focus(text: str) -> str:
    """What a statement topic is about: lead-ins ("make a video about…") and politeness dropped."""
    focus = _trim(_POLITE.sub("", text))
    for pattern in (_LEAD_IN, _ASK_LEAD_IN):
        lead = pattern.search(focus)
        if lead and _trim(focus[lead.end():]):
            focus = _trim(_POLITE.sub("", focus[lead.end():]))
    focus = _AUDIENCE.sub("", focus) or focus
    if len(focus.split()) > PHRASE_MAX_WORDS or len(focus) > PHRASE_MAX_CHARS:
        focus = (_sentences(focus) or [focus])[0]
    phrase = _shorten(focus)
    return re.sub(r"\s*[:;]\s+", ", ", phrase)  # "Cats: which is best" → "Cats, which is best"


def topic_parts(topic: str) -> TopicParts:
    """Fit ``topic`` for speech (see :class:`TopicParts`); BadInput if nothing speakable is left."""
    raw = " ".join(str(topic).split())
    text = _trim(_strip_symbols(raw)) or _trim(raw)
    if not text:
        raise BadInput("The topic has no words in it.", hint="Type what the video should be about.")
    words = tuple(w for w in (_bare(t) for t in text.split()) if w)

    question = _question_of(raw, text)
    if question is not None:
        question = _upper_leading(question)
        clause = _question_clause(question)
        if clause is not None:
            clause = _lower_leading(clause)
        mid = clause or FALLBACK_REF
        return TopicParts(mid=mid, start=_upper_leading(mid), question=question, clause=clause,
                          keywords=_keywords(question), words=words)

    phrase = _focus(text)
    return TopicParts(mid=_lower_leading(phrase), start=_upper_leading(phrase), question=None, clause=None,
                      keywords=_keywords(phrase), words=words)


def _keywords(phrase: str) -> str:
    """Up to four content words of ``phrase`` (the phrase itself for unspaced scripts)."""
    if _is_unspaced(phrase) and len(phrase.split()) <= 2:
        return phrase[:UNSPACED_MAX_CHARS]
    words = [w.strip(".,;:!?\"'“”‘’()[]«»…") for w in phrase.split()]
    content = [w if not w[:1].isupper() or w.isupper() or w.lower() not in _COMMON_LEADING else w.lower()
               for w in words if w and _bare(w) not in _STOPWORDS]
    return " ".join(content[:4]) or phrase


def _title_case(phrase: str) -> str:
    """English title case keeping the person's capitals; words in other alphabets are left as they are."""
    out = []
    for i, word in enumerate(phrase.split()):
        low = word.lower()
        if i and low in _SMALL_TITLE_WORDS and (word.islower() or word == word.capitalize()):
            out.append(low)
        elif word.islower() and word[:1].isascii() and word[:1].isalpha():  # not Cyrillic, Greek…
            out.append(word[:1].upper() + word[1:])
        else:
            out.append(word)
    return " ".join(out)


# ---------------------------------------------------------------------------------------------
# The writer.
# ---------------------------------------------------------------------------------------------


def _word_count(text: str) -> int:
    return len(text.split())


def _fits(text: str) -> bool:
    """Within the word bounds and without a doubled word ("what dark matter is is…")."""
    words = [w.strip(".,;:!?").lower() for w in text.split()]
    doubled = any(a == b and a.isalpha() for a, b in zip(words, words[1:], strict=False))
    return MIN_WORDS <= len(words) <= MAX_WORDS and not doubled


def _render(template: str, parts: TopicParts) -> str:
    text = template.format(t=parts.mid, T=parts.start, q=parts.question or parts.start)
    return " ".join(text.split())


class LocalScriptWriter(ScriptWriter):
    """Offline, free and deterministic: template scripts shaped on the topic, tone and seed."""

    name = "local"
    label = "Offline writer"
    offline = True

    @classmethod
    def from_settings(cls, settings: Any) -> LocalScriptWriter:
        """A writer; nothing in ``settings`` changes the local writer's output."""
        return cls()

    def cache_params(self) -> dict[str, Any]:
        return {"model": MODEL}

    def write(self, request: ScriptRequest) -> Script:
        topic = self._check(request)
        tone = normalize_tone(request.tone)
        rng = random.Random(_seed(topic, request.seed, request.tone))
        parts = topic_parts(topic)
        count = request.scenes if request.scenes is not None else _choose_count(parts, rng)

        roles = ("hook", *_BODY_PLAN[count - 2], "cta")
        themes = _themes(parts)
        motifs = _motif_cycle(themes, parts, rng)
        palette = themes[0].palette if themes else rng.choice(_DEFAULT_PALETTES)
        scenes = []
        for number, role in enumerate(roles, 1):
            narration = self._narration(role, tone, parts, rng)
            visuals = _visuals(role, tone, next(motifs), palette, parts, rng)
            scenes.append(Scene(number=number, visuals=visuals, narration=narration))
        return Script(topic=topic, title=_title(tone, parts, rng), scenes=tuple(scenes))

    # -- helpers ---------------------------------------------------------------------------------
    @staticmethod
    def _check(request: ScriptRequest) -> str:
        if not isinstance(request.topic, str) or not request.topic.strip():
            raise BadInput("The topic is empty.",
                           hint="Type what the video should be about, e.g. 'The future of AI'.")
        topic = request.topic.strip()
        if len(topic) > MAX_TOPIC_CHARS:
            raise BadInput(f"The topic is {len(topic)} characters long; the limit is {MAX_TOPIC_CHARS}.",
                           hint="Shorten it to a sentence or two.")
        scenes = request.scenes
        if scenes is not None and (isinstance(scenes, bool) or not isinstance(scenes, int)
                                   or not MIN_SCENES <= scenes <= MAX_SCENES):
            raise BadInput(f"A script has {MIN_SCENES} to {MAX_SCENES} scenes, not {scenes!r}.",
                           hint=f"Pick a number from {MIN_SCENES} to {MAX_SCENES}, or leave it empty.")
        return topic

    @staticmethod
    def _narration(role: str, tone: str, parts: TopicParts, rng: random.Random) -> str:
        """A template for ``role`` that fits 8–22 words with this topic, rendered."""
        if parts.question is not None:
            pool = list(QUESTION_TEMPLATES["default"][role])
            if tone != "default":
                pool += QUESTION_TEMPLATES[tone].get(role, ())
            if role == "cta" and parts.clause is not None:
                pool += TEMPLATES[tone]["cta"]
        else:
            pool = list(TEMPLATES[tone][role])
        pick = rng.choice(pool)  # drawn before filtering so the RNG stream does not depend on fit
        fitting = [t for t in pool if _fits(_render(t, parts))]
        if pick not in fitting:
            pick = fitting[rng.randrange(len(fitting))] if fitting else pick
        text = _render(pick, parts)
        if not MIN_WORDS <= _word_count(text) <= MAX_WORDS:  # a topic too long for every template
            short = _shorten(parts.mid, 4)
            text = _render(pick, TopicParts(mid=short, start=_upper_leading(short),
                                            question=_shorten(parts.question or short, 4),
                                            clause=None, keywords=parts.keywords, words=parts.words))
        return text


def _seed(topic: str, seed: int, tone: str) -> int:
    digest = hashlib.sha256(f"{topic}\x00{seed}\x00{(tone or '').strip().lower()}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _choose_count(parts: TopicParts, rng: random.Random) -> int:
    """3–6 scenes: short topics get shorter scripts, long or question topics longer ones."""
    n = len(parts.words)
    if parts.question is not None:
        return rng.choice((4, 5))
    if n <= 2:
        return rng.choice((3, 4, 5))
    if n <= 6:
        return rng.choice((4, 5))
    return rng.choice((5, 6))


def _themes(parts: TopicParts) -> list[_Theme]:
    """The themes the topic's words match, best first."""
    words = set(parts.words)
    text = " ".join(parts.words)
    scores = []
    for i, theme in enumerate(_THEMES.values()):
        hits = 0
        for trig in theme.triggers:
            if trig.isascii():
                if " " in trig:
                    hits += f" {trig} " in f" {text} "
                else:
                    hits += bool({trig, trig + "s", trig + "es"} & words)
            else:
                hits += trig in text
        if hits:
            scores.append((-hits, i, theme))
    return [theme for _, _, theme in sorted(scores, key=lambda s: (s[0], s[1]))]


def _motif_cycle(themes: list[_Theme], parts: TopicParts, rng: random.Random) -> Iterator[str]:
    """Subjects for the scenes, endlessly: the top two themes' motifs, ones naming a topic word first."""
    pool = [m for theme in themes[:2] for m in theme.motifs] or list(_DEFAULT_MOTIFS)
    rng.shuffle(pool)
    topic_words = {w.rstrip("s") for w in parts.words if len(w) > 2}
    pool.sort(key=lambda m: not topic_words & {_bare(w).rstrip("s") for w in m.split()})  # "cat" first
    while True:
        yield from pool


def _visuals(role: str, tone: str, motif: str, palette: str, parts: TopicParts, rng: random.Random) -> str:
    shot = rng.choice(_SHOTS["body" if role not in _SHOTS else role])
    mood = rng.choice(_MOODS[tone])
    return f"{shot} {motif}, {palette} tones, {mood}, {parts.keywords} theme"


def _title(tone: str, parts: TopicParts, rng: random.Random) -> str:
    if parts.question is not None:
        question = _title_case(parts.question)
        title = rng.choice(_QUESTION_TITLES).format(Q=question)
        if len(title) > TITLE_MAX_CHARS:
            title = f"{question}?"
        return title if len(title) <= TITLE_MAX_CHARS else title[:TITLE_MAX_CHARS - 1].rstrip() + "…"
    template = rng.choice(_TITLES[tone])
    if template.startswith("{T}"):
        phrase = _title_case(parts.start)
    else:  # mid-title: "The Truth About the Future of AI"
        first, _, rest = _title_case(parts.mid).partition(" ")
        if first.lower() in _SMALL_TITLE_WORDS and first == first.capitalize():
            first = first.lower()
        phrase = f"{first} {rest}".strip()
    title = template.format(T=phrase)
    if len(title) > TITLE_MAX_CHARS:
        title = _title_case(_shorten(parts.start, 6))
    return title if len(title) <= TITLE_MAX_CHARS else title[:TITLE_MAX_CHARS - 1].rstrip() + "…"
