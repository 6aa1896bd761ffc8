"""Text as people and services give it: cleaning, languages and their words, word timings."""
