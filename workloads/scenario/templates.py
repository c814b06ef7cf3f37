"""Pod templates of a scenario: parsed, named, admitted (priority), and registered once.

Every arrival refers to a template by index. A template is keyed by (namespace, name):
the same manifest used twice (two generators sharing a file) is one template whose pods
share one running number, so generated names never repeat; two different manifests under
one key are an error, because their pods would be indistinguishable by name.
"""

from __future__ import annotations

import json

from engine.errors import InputError
from engine.framework.profile import Profile
from engine.labels import DNS_SUBDOMAIN
from engine.objects import ObjectSet, Pod
from workloads.fields import DNS_LABEL, describe, join
from workloads.manifests import parse_pod, resolve_priorities
from workloads.scenario.schema import suggest
from workloads.scenario.values import Context

__all__ = ["Templates", "BUILTIN_NAMESPACES", "name_problem"]

# Namespaces every cluster has (the NamespaceLifecycle admission plugin accepts pods there).
BUILTIN_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
# Room for '-<ordinal>' within the 253-character pod name limit.
_MAX_TEMPLATE_NAME = 253 - 11


def name_problem(name: str, limit: int = _MAX_TEMPLATE_NAME) -> str | None:
    """Why ``name`` cannot name pods (or prefix generated pod names), or None."""
    if DNS_SUBDOMAIN.fullmatch(name) and len(name) <= limit:
        return None
    return (
        f"{name!r} is not a valid pod name: expected a DNS-1123 subdomain (lowercase letters, "
        f"digits, '-' and '.'), at most {limit} characters"
    )


class Templates:
    """The scenario's template list, built entry by entry."""

    def __init__(self, ctx: Context, objects: ObjectSet, profile: Profile) -> None:
        self.ctx = ctx
        self.pods: list[Pod] = []
        self._keys: dict[tuple[str, str], tuple[int, str, str]] = {}
        self._seen: dict[str, int] = {}
        self._classes = ObjectSet(priority_classes=list(objects.priority_classes))
        self._namespaces = {ns.name for ns in objects.namespaces}
        self._workloads = {(w.kind, w.namespace, w.name) for w in objects.workloads}
        self._scheduler = profile.scheduler_name

    def add(
        self,
        manifest: object,
        *,
        path: str,
        file: str | None = None,
        doc: int | None = None,
        name: str | None = None,
        default_name: str | None = None,
        named_pods: bool = False,
    ) -> int:
        """Register a Pod template; returns its index.

        ``path`` locates the manifest (in ``file``, default the scenario). ``name`` forces
        the template name (stream template keys); otherwise ``metadata.name``, else
        ``default_name``. ``named_pods``: the manifest is a pod with its own name (from a
        workload file), not a template.
        """
        file = file or self.ctx.file
        # The same entry text seen again (a file shared by two generators): reuse it, without
        # parsing (and warning about) it twice.
        seen_key = json.dumps(
            [name, default_name, named_pods, manifest], sort_keys=True, default=str
        )
        seen = self._seen.get(seen_key)
        if seen is not None:
            return seen
        where = path or file
        if file != self.ctx.file:
            where = f"{file}, {path}" if path else file
        manifest = self._check_kind(manifest, path, file, doc)
        pod = parse_pod(
            manifest,
            file=file,
            doc=doc,
            path_prefix=path or None,
            warnings=self.ctx.warnings,
            template=not named_pods,
        )
        pod.name = name or pod.name or (default_name or "")
        if not pod.name:
            raise InputError(
                "is required: a template without metadata.name takes the name of its entry or "
                "generator, and this one has none",
                file=file,
                doc=doc,
                path=join(path, "metadata.name"),
            )
        self._check_name(pod.name, path, file, doc, named_pods)
        self._check_namespace(pod.namespace, path, file, doc)
        resolve_priorities(self._classes, [(pod, file, doc, path or None)])
        self._check_owner(pod, where)
        if pod.scheduler_name != self._scheduler:
            message = (
                f"template {pod.name!r} asks for scheduler {pod.scheduler_name!r}, but the "
                f"simulated profile is {self._scheduler!r}: its pods will stay pending"
            )
            where_warn = InputError(
                message, file=file, doc=doc, path=join(path, "spec.schedulerName")
            )
            self.ctx.warnings.append(str(where_warn))
        canonical = json.dumps(
            {"name": pod.name, "manifest": manifest}, sort_keys=True, default=str
        )
        key = (pod.namespace, pod.name)
        known = self._keys.get(key)
        if known is not None:
            index, text, first = known
            if text == canonical:
                self._seen[seen_key] = index
                return index
            raise InputError(
                f"template name {pod.name!r} (namespace {pod.namespace!r}) is already used by "
                f"a different template at {first}; give one of them another metadata.name",
                file=file,
                doc=doc,
                path=join(path, "metadata.name"),
            )
        self.pods.append(pod)
        self._keys[key] = (len(self.pods) - 1, canonical, where)
        self._seen[seen_key] = len(self.pods) - 1
        return len(self.pods) - 1

    def add_object(self, pod: Pod, where: str) -> int:
        """Register an already parsed and admitted pod (pending pods of the manifests)."""
        canonical = repr(pod)
        key = (pod.namespace, pod.name)
        known = self._keys.get(key)
        if known is not None:
            if known[1] == canonical:
                return known[0]
            raise self.ctx.error(
                None,
                f"pod {pod.namespace}/{pod.name} from {where} has the name of a template at "
                f"{known[2]}; rename one of them",
            )
        self.pods.append(pod)
        self._keys[key] = (len(self.pods) - 1, canonical, where)
        return len(self.pods) - 1

    def priorities(self) -> list[int]:
        return [p.effective_priority for p in self.pods]

    # -- checks

    def _check_kind(self, manifest: object, path: str, file: str, doc: int | None) -> dict:
        if not isinstance(manifest, dict):
            raise InputError(
                f"expected a Pod manifest (a map), got {describe(manifest)}",
                file=file,
                doc=doc,
                path=path or None,
            )
        kind = manifest.get("kind", "Pod")
        if kind != "Pod":
            raise InputError(
                f"expected a Pod template, got kind {kind!r}",
                file=file,
                doc=doc,
                path=join(path, "kind"),
            )
        version = manifest.get("apiVersion", "v1")
        if version != "v1":
            raise InputError(
                f"expected apiVersion v1 for a Pod, got {version!r}",
                file=file,
                doc=doc,
                path=join(path, "apiVersion"),
            )
        return manifest

    def _check_name(
        self, name: str, path: str, file: str, doc: int | None, named_pods: bool
    ) -> None:
        problem = name_problem(name, 253 if named_pods else _MAX_TEMPLATE_NAME)
        if problem:
            raise InputError(problem, file=file, doc=doc, path=join(path, "metadata.name"))

    def namespace_problem(self, namespace: str) -> str | None:
        """Why pods cannot be created in ``namespace``, or None."""
        if not DNS_LABEL.fullmatch(namespace) or len(namespace) > 63:
            return (
                f"{namespace!r} is not a valid namespace: expected a DNS-1123 label (lowercase "
                "letters, digits and '-'), at most 63 characters"
            )
        # Declared Namespaces make the list authoritative (NamespaceLifecycle admission).
        if self._namespaces and namespace not in self._namespaces | set(BUILTIN_NAMESPACES):
            declared = sorted(self._namespaces)
            return (
                f"namespace {namespace!r} is not declared; the scenario declares "
                f"{', '.join(declared)}{suggest(namespace, declared)}"
            )
        return None

    def _check_namespace(self, namespace: str, path: str, file: str, doc: int | None) -> None:
        problem = self.namespace_problem(namespace)
        if problem:
            raise InputError(problem, file=file, doc=doc, path=join(path, "metadata.namespace"))

    def _check_owner(self, pod: Pod, where: str) -> None:
        for ref in pod.owner_references:
            if ref.controller and (ref.kind, pod.namespace, ref.name) not in self._workloads:
                self.ctx.warn(
                    None,
                    f"template {pod.name!r} ({where}) is controlled by {ref.kind} "
                    f"{pod.namespace}/{ref.name}, which no manifest defines: its pods get no "
                    "PodTopologySpread system defaults from it and no controller replaces them",
                )
