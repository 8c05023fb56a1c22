#!/bin/sh
# Print the first Python >= 3.11 whose sqlite3 can load extensions (SpatiaLite needs it).
# pyenv and many other builds cannot; Debian's /usr/bin/python3 can.
for candidate in /usr/bin/python3 /usr/bin/python3.13 /usr/bin/python3.12 /usr/bin/python3.11 \
                 /usr/local/bin/python3 python3.13 python3.12 python3.11 python3; do
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if "$path" - <<'EOF' 2>/dev/null
import sqlite3, sys, venv
assert sys.version_info >= (3, 11)
assert hasattr(sqlite3.connect(":memory:"), "enable_load_extension")
EOF
  then
    echo "$path"
    exit 0
  fi
done
cat >&2 <<'EOF'
No Python >= 3.11 here can load SQLite extensions, which SpatiaLite needs.
On Debian/Ubuntu install one with:
    apt-get install -y python3 python3-venv
(Debian's own /usr/bin/python3 can; pyenv builds usually cannot.)
EOF
exit 1
