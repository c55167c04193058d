# SPDX-License-Identifier: GPL-2.0
# Sphinx settings for tinyalloc's Documentation/ (make htmldocs): Debian's
# python3-sphinx with its default theme, nothing fetched from the network.

import pathlib
import re

project = 'tinyalloc'
author = 'The tinyalloc developers'
copyright = 'The tinyalloc developers, GPL-2.0'

# The version is the module's own, so the pages and modinfo agree.
_core = pathlib.Path(__file__).resolve().parent.parent / 'tinyalloc' / 'core.c'
release = re.search(r'MODULE_VERSION\("([^"]+)"\)', _core.read_text()).group(1)
version = release

# api.rst is kernel-doc output: C declarations, as in the kernel's docs.
primary_domain = 'c'
highlight_language = 'none'

html_theme = 'alabaster'
html_static_path = []

# Documentation/bench/*.rst are tables included by benchmarks.rst and
# tuning.rst, not pages of their own.
exclude_patterns = ['bench/*.rst']
