"""Puts training/ on the import path. Test modules skip themselves (pytest.importorskip) when
torch or numpy is missing, with the reason shown, so a machine without them reports skips, not
failures."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
