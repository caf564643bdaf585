#!/bin/sh
# warm: optional (docs/WARM.md): the parts run without this setup too, only their start is slower.
# At image build, in /opt/codebeaker/warm: the launcher's body compiled for this image's Python, which launcher.py
# loads instead of compiling it at every start.
set -eu
python3 - <<'PY'
import marshal, sys
with open("launcher_body.py", "rb") as source:
    code = compile(source.read(), "/opt/codebeaker/warm/launcher_body.py", "exec", dont_inherit=True)
with open(f"launcher_body.{sys.implementation.cache_tag}.code", "wb") as compiled:
    compiled.write(marshal.dumps(code))
PY
