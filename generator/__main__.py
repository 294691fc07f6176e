import gc
import sys

from .cli import main

status = main()
# Everything the run made (the IR, every rendered module, datamodel-code-generator's and black's
# modules) is garbage now. Frozen, the interpreter's last collections do not walk it: exit takes
# ~0.02 s instead of ~0.2 s, a fifth of the maintainer's one-field loop. Nothing is skipped:
# atexit handlers, buffers and finalizers run as usual.
gc.freeze()
sys.exit(status)
