#!/usr/bin/env python3
"""Writes crates/cli/data/country_names.tsv: the names of every country and territory in the
seven languages newsflow reads (en de fr es it pt nl), from the Unicode CLDR as the Babel
package ships it (`pip install babel`; Unicode licence). `newsflow train anchors` adds them to
the GeoNames places, whose country rows carry the English name only ("Germany", never
"Deutschland" or "Allemagne").

Usage: python3 scripts/country_names.py > crates/cli/data/country_names.tsv
"""
import babel
from babel import Locale

LANGUAGES = ["en", "de", "fr", "es", "it", "pt", "nl"]

print(f"# country and territory names, Unicode CLDR via babel {babel.__version__}: name, ISO 3166-1 code, language")
for language in LANGUAGES:
    for code, name in sorted(Locale(language).territories.items()):
        if len(code) == 2 and code.isalpha():
            print(f"{name}\t{code}\t{language}")
