"""gunicorn's access log without device tokens: `/v1/key/<token>/` is written `/v1/key/_/`."""
from gunicorn.glogging import Logger

from surveys.odk.paths import redact_key


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name in ("r", "U", "f"):  # request line, path, referer
            if isinstance(atoms.get(name), str):
                atoms[name] = redact_key(atoms[name])
        return atoms
