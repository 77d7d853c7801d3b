"""Tools for curators (issue 11): every figure printed in a Chinese text (printed), and
which of them a fact base covers, consciously ignores or still lacks (coverage).

Both modules are pure: they take texts and records and return dataclasses; reading
files, the command line and rendering live elsewhere."""
