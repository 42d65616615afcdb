"""Parley's own words kept in data files (the default rubric, the behaviour model): a Babel extractor
that puts their names and whys in the catalogue, so that translators meet them in parley.po."""
from __future__ import annotations

import yaml

# The keys whose text players read: a competency's, a critical error's or a level's `name`; a critical
# error's or a behaviour rule's `why`.
DATA_KEYS = frozenset({"name", "why"})


def extract_yaml(fileobj, keywords, comment_tags, options):
    """Babel extraction method (babel.cfg: `[simulator.i18n_data:extract_yaml: FILE]`): every
    `name:` and `why:` text of a YAML data file, with its line. Parley's own files only, read safely."""
    root = yaml.compose(fileobj.read().decode("utf-8"), Loader=yaml.SafeLoader)
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if (isinstance(key, yaml.ScalarNode) and key.value in DATA_KEYS and isinstance(value, yaml.ScalarNode)
                        and value.tag == "tag:yaml.org,2002:str" and value.value.strip()):
                    yield value.start_mark.line + 1, None, value.value, []
                else:
                    stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
