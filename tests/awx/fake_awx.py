# -*- coding: utf-8 -*-
# Copyright: asr.mobility contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stand-in for the AWX REST API (/api/v2), enough for the awx.awx modules that
awx/configure_awx.yml uses, so the playbook can run for real in the tests (no AWX here).

It stores objects in memory, answers list lookups with the query filters the modules send
(``name``, ``organization``, ``credential_type``, ``or__id``/``or__name``), creates (POST),
updates (PATCH), handles association sub-lists (``/credentials/``, ``/labels/`` ...) and
``/survey_spec/``, answers secret credential inputs as ``$encrypted$`` as AWX does, and applies
a few of AWX's own validation rules (unknown references, duplicate names, credential inputs
against their type, survey spec shape). Every request is recorded in ``server.log``.

    with FakeAWX(seed={...}) as awx:   # awx.url, awx.objects, awx.log
        ...
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

API = "/api/v2/"
SURVEY_TYPES = ("text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect")
REFERENCES = {  # field -> resource it names by id
    "organization": "organizations", "credential_type": "credential_types", "project": "projects",
    "inventory": "inventories", "execution_environment": "execution_environments",
    "default_environment": "execution_environments", "credential": "credentials",
}


class AWXError(Exception):
    def __init__(self, status, body):
        super().__init__(body)
        self.status, self.body = status, body


def validate_survey(spec):
    """AWX's rules for a survey spec (awx/api/views JobTemplateSurveySpec), as errors."""
    errors = []
    if not isinstance(spec, dict):
        return ["survey spec must be an object"]
    for key in ("name", "description", "spec"):
        if key not in spec:
            errors.append("'%s' missing from survey spec" % key)
    if not isinstance(spec.get("spec"), list) or not spec.get("spec"):
        return errors + ["'spec' must be a non-empty list of questions"]
    seen = set()
    for n, q in enumerate(spec["spec"]):
        where = "question %d" % (n + 1)
        if not isinstance(q, dict):
            errors.append("%s is not an object" % where)
            continue
        for key in ("question_name", "variable", "type", "required"):
            if key not in q:
                errors.append("%s: '%s' missing" % (where, key))
        if q.get("type") not in SURVEY_TYPES:
            errors.append("%s: type %r is not one of %s" % (where, q.get("type"), ", ".join(SURVEY_TYPES)))
        if not isinstance(q.get("required"), bool):
            errors.append("%s: 'required' must be a boolean" % where)
        var = q.get("variable")
        if not isinstance(var, str) or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", var or ""):
            errors.append("%s: variable %r is not a valid name" % (where, var))
        if var in seen:
            errors.append("%s: variable %r is asked twice" % (where, var))
        seen.add(var)
        for bound in ("min", "max"):
            if bound in q and q[bound] is not None and not isinstance(q[bound], int):
                errors.append("%s: '%s' must be an integer" % (where, bound))
        default = q.get("default")
        if q.get("type") in ("multiplechoice", "multiselect"):
            choices = q.get("choices")
            if isinstance(choices, str):
                choices = choices.split("\n")
            if not isinstance(choices, list) or not choices:
                errors.append("%s: choices are required" % where)
                continue
            if q["type"] == "multiplechoice" and default not in (None, "") and default not in choices:
                errors.append("%s: default %r is not one of the choices" % (where, default))
        elif q.get("type") == "integer" and default not in (None, ""):
            if not isinstance(default, int) or isinstance(default, bool):
                errors.append("%s: default must be an integer" % where)
            elif ("min" in q and default < q["min"]) or ("max" in q and default > q["max"]):
                errors.append("%s: default %r is outside min/max" % (where, default))
        elif q.get("type") in ("text", "textarea", "password") and default not in (None,):
            if not isinstance(default, str):
                errors.append("%s: default must be a string" % where)
            elif q.get("required") and "min" in q and len(default) < q["min"]:
                errors.append("%s: default shorter than min" % where)
            elif "max" in q and len(default) > q["max"]:
                errors.append("%s: default longer than max" % where)
    return errors


class Store:
    def __init__(self, seed=None):
        self.lock = threading.Lock()
        self.objects = {}       # resource -> {id: obj}
        self.assoc = {}         # (resource, id, sub) -> [ids]
        self.surveys = {}       # job template id -> spec
        self.next_id = 1
        for resource, items in (seed or {}).items():
            for item in items:
                self.create(resource, dict(item), validate=False)

    # -- helpers ---------------------------------------------------------------------------
    def _url(self, resource, oid):
        return "%s%s/%d/" % (API, resource, oid)

    def _decorate(self, resource, obj):
        out = dict(obj)
        url = self._url(resource, obj["id"])
        out["url"] = url
        subs = ("credentials", "labels", "instance_groups", "survey_spec", "update", "copy")
        out["related"] = {sub: url + sub + "/" for sub in subs}
        out["summary_fields"] = {}
        out.setdefault("type", resource.rstrip("s"))
        if resource == "credentials":  # AWX never returns a secret
            ctype = self.objects.get("credential_types", {}).get(obj.get("credential_type"), {})
            secret = {f["id"] for f in (ctype.get("inputs") or {}).get("fields", []) if f.get("secret")}
            out["inputs"] = {k: ("$encrypted$" if k in secret else v) for k, v in (obj.get("inputs") or {}).items()}
        if resource == "projects":
            out.setdefault("scm_revision", "0" * 40)
        return out

    def find(self, resource, name):
        for obj in self.objects.get(resource, {}).values():
            if obj.get("name") == name:
                return obj
        return None

    def _check(self, resource, data, oid=None):
        for field, target in REFERENCES.items():
            if data.get(field) not in (None, "") and data[field] not in self.objects.get(target, {}):
                raise AWXError(400, {field: ["Invalid pk \"%s\" - object does not exist." % data[field]]})
        name = data.get("name")
        for other in self.objects.get(resource, {}).values():
            same_scope = other.get("organization") == data.get("organization", other.get("organization"))
            if other.get("name") == name and other["id"] != oid and same_scope and resource != "hosts":
                raise AWXError(400, {"__all__": ["%s with this Name and Organization already exists." % resource]})
        if resource == "credentials":
            ctype = self.objects["credential_types"][data["credential_type"]]
            fields = {f["id"]: f for f in (ctype.get("inputs") or {}).get("fields", [])}
            inputs = data.get("inputs") or {}
            unknown = sorted(set(inputs) - set(fields))
            missing = sorted(set((ctype.get("inputs") or {}).get("required", [])) - set(inputs))
            if unknown or missing:
                raise AWXError(400, {"inputs": {"unknown": unknown, "missing": missing}})
        if resource == "job_templates" and data.get("job_slice_count") is not None and data["job_slice_count"] < 1:
            raise AWXError(400, {"job_slice_count": ["Ensure this value is greater than or equal to 1."]})

    # -- operations ------------------------------------------------------------------------
    def create(self, resource, data, validate=True):
        with self.lock:
            if validate:
                self._check(resource, data)
            oid = self.next_id
            self.next_id += 1
            data["id"] = oid
            self.objects.setdefault(resource, {})[oid] = data
            return self._decorate(resource, data)

    def update(self, resource, oid, data):
        with self.lock:
            obj = self.objects.get(resource, {}).get(oid)
            if obj is None:
                raise AWXError(404, {"detail": "Not found."})
            merged = dict(obj, **data)
            if resource == "credentials":
                # "$encrypted$" sent back means: keep the stored secret.
                merged["inputs"] = {k: (obj.get("inputs", {}).get(k) if v == "$encrypted$" else v)
                                    for k, v in (data.get("inputs") or obj.get("inputs") or {}).items()}
            self._check(resource, merged, oid)
            self.objects[resource][oid] = merged
            return self._decorate(resource, merged)

    def get(self, resource, oid):
        obj = self.objects.get(resource, {}).get(oid)
        if obj is None:
            raise AWXError(404, {"detail": "Not found."})
        return self._decorate(resource, obj)

    def query(self, resource, params):
        ors = {k[4:]: v for k, v in params.items() if k.startswith("or__")}
        ands = {k: v for k, v in params.items() if not k.startswith("or__") and k not in ("page_size", "page")}
        results = []
        for obj in sorted(self.objects.get(resource, {}).values(), key=lambda o: o["id"]):
            if any(str(obj.get(k)) != v for k, v in ands.items()):
                continue
            if ors and not any(str(obj.get(k)) == v for k, v in ors.items()):
                continue
            results.append(self._decorate(resource, obj))
        return {"count": len(results), "next": None, "previous": None, "results": results}


class Handler(BaseHTTPRequestHandler):
    server_version = "FakeAWX/1.0"

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status, body=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-API-Product-Name", "AWX")
        self.send_header("X-API-Product-Version", "24.6.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}") if length else {}

    def _route(self, method):
        url = urlparse(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query).items()}
        store = self.server.store
        body = self._body() if method in ("POST", "PATCH", "PUT") else None
        self.server.log.append({"method": method, "path": url.path, "params": params, "body": body})
        if self.headers.get("Authorization") != "Bearer " + self.server.token:
            return self._send(401, {"detail": "Authentication credentials were not provided."})
        parts = [p for p in url.path[len(API):].split("/") if p] if url.path.startswith(API) else None
        if not parts:
            return self._send(200, {"ping": "pong"}) if url.path.startswith(API) else self._send(404, {})
        try:
            resource = parts[0]
            if len(parts) == 1:
                if method == "GET":
                    return self._send(200, store.query(resource, params))
                if method == "POST":
                    return self._send(201, store.create(resource, body))
            oid = int(parts[1])
            if len(parts) == 2:
                if method == "GET":
                    return self._send(200, store.get(resource, oid))
                if method in ("PATCH", "PUT"):
                    return self._send(200, store.update(resource, oid, body))
                if method == "DELETE":
                    store.objects.get(resource, {}).pop(oid, None)
                    return self._send(204)
            sub = parts[2]
            store.get(resource, oid)
            if sub == "survey_spec":
                if method == "GET":
                    return self._send(200, store.surveys.get(oid, {}))
                if method == "POST":
                    errors = validate_survey(body)
                    if errors:
                        return self._send(400, {"error": "; ".join(errors)})
                    store.surveys[oid] = body
                    return self._send(200)
                if method == "DELETE":
                    store.surveys.pop(oid, None)
                    return self._send(200)
            key = (resource, oid, sub)
            target = {"credentials": "credentials", "labels": "labels", "instance_groups": "instance_groups"}.get(sub)
            if target:
                ids = store.assoc.setdefault(key, [])
                if method == "GET":
                    return self._send(200, {"count": len(ids), "next": None, "previous": None,
                                            "results": [store.get(target, i) for i in ids]})
                if method == "POST":
                    cid = int(body["id"])
                    store.get(target, cid)
                    if body.get("disassociate"):
                        if cid in ids:
                            ids.remove(cid)
                    elif cid not in ids:
                        ids.append(cid)
                    return self._send(204)
        except AWXError as exc:
            return self._send(exc.status, exc.body)
        except (ValueError, KeyError) as exc:
            return self._send(400, {"detail": "bad request: %s" % exc})
        return self._send(405, {"detail": "Method \"%s\" not allowed." % method})

    def do_GET(self):
        self._route("GET")

    def do_POST(self):
        self._route("POST")

    def do_PATCH(self):
        self._route("PATCH")

    def do_PUT(self):
        self._route("PUT")

    def do_DELETE(self):
        self._route("DELETE")


class FakeAWX:
    def __init__(self, seed=None, token="fake-awx-token"):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.store = Store(seed)
        self.server.log = []
        self.server.token = token
        self.token = token
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def store(self):
        return self.server.store

    @property
    def log(self):
        return self.server.log

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
