"""Load a ``KubeSchedulerConfiguration`` (kubescheduler.config.k8s.io/v1) into a ``Profile``.

Reproduces what kube-scheduler v1.35 does with ``--config``:

1. strict decoding (unknown fields, wrong types: errors), defaulting of every field;
2. ``mergePlugins`` (``apis/config/v1/default_plugins.go``): the user's ``multiPoint`` set is
   merged into the default one (defaults minus ``disabled``, ``*`` drops them all; an enabled
   plugin that is also a default replaces it in place, others are appended), per-point sets
   are taken as given (their defaults are empty in v1);
3. ``expandMultiPointPlugins`` (``framework/runtime/framework.go``): at each extension point,
   plugins enabled explicitly there that are also multiPoint plugins come first (in their
   explicit order), then the remaining multiPoint plugins implementing the point and not
   disabled there, then the other explicit plugins; a point whose ``disabled`` holds ``*``
   gets only its explicit plugins;
4. score weights (``getScoreWeights``): the explicit ``score`` entry wins over ``multiPoint``,
   a missing weight is 1;
5. validation (``apis/config/validation``) of the configuration and of every plugin's args;
   each plugin parses its own args (``plugins/<name>/args.py: parse_args``).

podbench simulates one profile (the first) and no volumes, DRA or extenders: those parts are
accepted and reported in ``Profile.warnings``. Every error is a ``ConfigError`` naming the file
and the field path.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from engine.errors import ConfigError
from engine.framework import decoding as d
from engine.framework.plugins.default_preemption import args as default_preemption
from engine.framework.plugins.inter_pod_affinity import args as inter_pod_affinity
from engine.framework.plugins.node_affinity import args as node_affinity
from engine.framework.plugins.node_resources_balanced_allocation import args as balanced_allocation
from engine.framework.plugins.node_resources_fit import args as fit
from engine.framework.plugins.pod_topology_spread import args as pod_topology_spread
from engine.framework.profile import (
    DEFAULT_MULTIPOINT,
    EXTENSION_POINTS,
    OUT_OF_SCOPE,
    PluginArgs,
    Profile,
    default_profile,
)

KIND = "KubeSchedulerConfiguration"
DEFAULT_SCHEDULER_NAME = "default-scheduler"

TOP_LEVEL_FIELDS = (
    "apiVersion",
    "kind",
    "parallelism",
    "leaderElection",
    "clientConnection",
    "enableProfiling",
    "enableContentionProfiling",
    "percentageOfNodesToScore",
    "podInitialBackoffSeconds",
    "podMaxBackoffSeconds",
    "profiles",
    "extenders",
    "delayCacheUntilActive",
)
LEADER_ELECTION_FIELDS = (
    "leaderElect",
    "leaseDuration",
    "renewDeadline",
    "retryPeriod",
    "resourceLock",
    "resourceName",
    "resourceNamespace",
)
CLIENT_CONNECTION_FIELDS = ("kubeconfig", "acceptContentTypes", "contentType", "qps", "burst")
PROFILE_FIELDS = ("schedulerName", "percentageOfNodesToScore", "plugins", "pluginConfig")
POINTS = (
    "preEnqueue",
    "queueSort",
    "preFilter",
    "filter",
    "postFilter",
    "preScore",
    "score",
    "reserve",
    "permit",
    "preBind",
    "bind",
    "postBind",
)
MULTI_POINT = "multiPoint"

# Extension points each modelled plugin implements. DefaultPreemption also implements
# PreEnqueue (async preemption); podbench does not model that point but accepts the config.
IMPLEMENTS: dict[str, frozenset[str]] = {
    name: frozenset(points) for name, points in EXTENSION_POINTS.items()
}
IMPLEMENTS["DefaultPreemption"] = IMPLEMENTS["DefaultPreemption"] | {"preEnqueue"}

# Invalid in kubescheduler.config.k8s.io/v1 (validation.go invalidPluginsByVersion).
REMOVED_IN_V1 = ("AzureDiskLimits", "CinderLimits", "EBSLimits", "GCEPDLimits")

_VOLUMES = "volumes are not modelled"
OUT_OF_SCOPE_REASONS: dict[str, str] = {
    "VolumeRestrictions": _VOLUMES,
    "NodeVolumeLimits": _VOLUMES,
    "VolumeBinding": _VOLUMES,
    "VolumeZone": _VOLUMES,
    "DynamicResources": "dynamic resource allocation is not modelled",
    "NodeDeclaredFeatures": "alpha plugin, feature gate off by default in v1.35; not modelled",
    "GangScheduling": "alpha plugin, feature gate off by default in v1.35; not modelled",
}
for _name in OUT_OF_SCOPE:
    OUT_OF_SCOPE_REASONS.setdefault(_name, "not modelled")

# Plugins with typed args: Profile.args field and the plugin's own parser.
ARGS_PARSERS: dict[str, tuple[str, Callable[[object, str], object]]] = {
    "NodeResourcesFit": ("node_resources_fit", fit.parse_args),
    "NodeResourcesBalancedAllocation": ("balanced_allocation", balanced_allocation.parse_args),
    "NodeAffinity": ("node_affinity", node_affinity.parse_args),
    "PodTopologySpread": ("pod_topology_spread", pod_topology_spread.parse_args),
    "InterPodAffinity": ("inter_pod_affinity", inter_pod_affinity.parse_args),
    "DefaultPreemption": ("default_preemption", default_preemption.parse_args),
}

# podbench's bound on score plugin weights (see docs/scheduler-config.md: upstream itself
# turns an explicit 0 into 1 and does not bound the weight). With at most 14 score plugins
# of weight <= 100, weight * MaxNodeScore summed cannot overflow int64 (getScoreWeights).
MIN_PLUGIN_WEIGHT = 1
MAX_PLUGIN_WEIGHT = 100


@dataclass(frozen=True)
class SchedulerSettings:
    """Top-level settings of a KubeSchedulerConfiguration that the simulator uses."""

    percentage_of_nodes_to_score: int = 0  # 0 = adaptive
    parallelism: int = 16
    pod_initial_backoff_seconds: int = 1
    pod_max_backoff_seconds: int = 10


@dataclass(frozen=True)
class _Plugin:
    name: str
    weight: int | None = None


@dataclass
class _PluginSet:
    enabled: list[_Plugin] = field(default_factory=list)
    disabled: set[str] = field(default_factory=set)


# --- Public API -----------------------------------------------------------------------------


def load_scheduler_config(path: str | Path | None) -> Profile:
    """The first profile of the config file (None: upstream's default profile)."""
    return load_scheduler_settings(path)[1]


def load_scheduler_settings(path: str | Path | None) -> tuple[SchedulerSettings, Profile]:
    """Top-level settings and the first profile (percentageOfNodesToScore folded in)."""
    if path is None:
        return SchedulerSettings(), default_profile()
    return settings_from_dict(read_config_file(path), file=str(path))


def profile_from_dict(doc: Mapping[str, Any], *, file: str | None = None) -> Profile:
    """The first profile of an already-parsed KubeSchedulerConfiguration."""
    return settings_from_dict(doc, file=file)[1]


def settings_from_dict(
    doc: Mapping[str, Any], *, file: str | None = None
) -> tuple[SchedulerSettings, Profile]:
    try:
        return _decode_configuration(doc)
    except ConfigError as e:
        raise ConfigError(
            e.message, file=e.file or file, doc=e.doc, path=e.path, line=e.line
        ) from None


def read_config_file(path: str | Path) -> Any:
    """One JSON or YAML document; duplicate keys are errors (upstream decoding is strict)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"cannot read scheduler config: {e.strerror or e}", file=str(p)) from None
    except UnicodeDecodeError:
        raise ConfigError("scheduler config is not UTF-8 text", file=str(p)) from None
    if p.suffix.lower() == ".json":
        try:
            return json.loads(text, object_pairs_hook=_json_object)
        except json.JSONDecodeError as e:
            raise ConfigError(f"invalid JSON: {e.msg}", file=str(p), line=e.lineno) from None
        except ConfigError as e:
            raise ConfigError(e.message, file=str(p)) from None
    try:
        docs = [x for x in yaml.load_all(text, Loader=_StrictLoader) if x is not None]
    except ConfigError as e:
        raise ConfigError(e.message, file=str(p), line=e.line) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(e, "problem", None) or str(e)
        raise ConfigError(f"invalid YAML: {problem}", file=str(p), line=line) from None
    if len(docs) != 1:
        raise ConfigError(
            f"expected exactly one KubeSchedulerConfiguration document, found {len(docs)}",
            file=str(p),
        )
    return docs[0]


def apply_overrides(profile: Profile, overrides: Mapping[str, object]) -> Profile:
    """Apply small dotted overrides (benchmark suites), validated like the config file.

    Keys: ``percentageOfNodesToScore``; ``scoringStrategy`` (a type name, or a full
    ScoringStrategy mapping); ``scoringStrategy.resources`` (list of {name, weight} or a
    {name: weight} mapping); ``scoringStrategy.shape`` (list of {utilization, score} or
    [utilization, score] pairs); ``weights.<ScorePlugin>`` (1..100, 0 removes the plugin from
    Score, like ``score.disabled``); ``args.<Plugin>`` (a full pluginConfig args mapping).
    Applied in that dependency order (args, strategy, weights, percentage), so the mapping's
    own order does not matter.
    """
    keys = list(overrides)
    for key in keys:
        if not isinstance(key, str) or not _override_key_known(key):
            raise ConfigError(
                "unknown override; supported: percentageOfNodesToScore, scoringStrategy, "
                "scoringStrategy.resources, scoringStrategy.shape, weights.<ScorePlugin>, "
                "args.<Plugin>",
                path=str(key),
            )
    for key in keys:
        if key.startswith("args."):
            profile = _override_args(profile, key, overrides[key])
    strategy_keys = {k: overrides[k] for k in keys if k.split(".")[0] == "scoringStrategy"}
    if strategy_keys:
        profile = _override_strategy(profile, strategy_keys)
    for key in keys:
        if key.startswith("weights."):
            profile = _override_weight(profile, key, overrides[key])
    if "percentageOfNodesToScore" in overrides:
        key = "percentageOfNodesToScore"
        value = d.integer(overrides[key], key)
        _check_percentage(value, key)
        profile = replace(profile, percentage_of_nodes_to_score=value)
    return profile


# --- Top level ------------------------------------------------------------------------------


def _decode_configuration(doc: object) -> tuple[SchedulerSettings, Profile]:
    if not isinstance(doc, Mapping):
        raise ConfigError(f"expected a {KIND} mapping, got {type(doc).__name__}")
    _check_type_meta(doc)
    d.check_fields(doc, TOP_LEVEL_FIELDS, "", KIND)
    warnings: list[str] = []

    parallelism = d.opt_int(doc, "parallelism", "")
    parallelism = 16 if parallelism is None else parallelism
    if parallelism <= 0:
        raise d.fail("parallelism", f"must be greater than 0, got {parallelism}")
    percentage = d.opt_int(doc, "percentageOfNodesToScore", "")
    if percentage is not None:
        _check_percentage(percentage, "percentageOfNodesToScore")
    initial = d.opt_int(doc, "podInitialBackoffSeconds", "", d.INT64)
    initial = 1 if initial is None else initial
    if initial <= 0:
        raise d.fail("podInitialBackoffSeconds", f"must be greater than 0, got {initial}")
    maximum = d.opt_int(doc, "podMaxBackoffSeconds", "", d.INT64)
    maximum = 10 if maximum is None else maximum
    if maximum < initial:
        raise d.fail(
            "podMaxBackoffSeconds",
            f"must be greater than or equal to podInitialBackoffSeconds ({initial}), got {maximum}",
        )
    for key, fields in (
        ("leaderElection", LEADER_ELECTION_FIELDS),
        ("clientConnection", CLIENT_CONNECTION_FIELDS),
    ):
        d.check_fields(d.mapping(doc.get(key), key), fields, key, key)
    for key in ("enableProfiling", "enableContentionProfiling", "delayCacheUntilActive"):
        d.opt_bool(doc, key, "")
    extenders = d.opt_list(doc, "extenders", "")
    for i, ext in enumerate(extenders):
        d.mapping(ext, d.index("extenders", i))
    if extenders:
        warnings.append(f"extenders: {len(extenders)} extender(s) ignored: extenders are not modelled")

    raw_profiles = d.opt_list(doc, "profiles", "") or [{}]
    profiles = [
        _decode_profile(raw, d.index("profiles", i), single=len(raw_profiles) == 1)
        for i, raw in enumerate(raw_profiles)
    ]
    _check_profiles_agree(raw_profiles, profiles)
    first = profiles[0]
    for i, other in enumerate(profiles[1:], start=1):
        warnings.append(
            f"profiles[{i}] (schedulerName {other.scheduler_name}) ignored: "
            "podbench simulates one profile"
        )
    if first.percentage_of_nodes_to_score is None and percentage is not None:
        first = replace(first, percentage_of_nodes_to_score=percentage)
    first = replace(first, warnings=tuple(warnings) + first.warnings)
    settings = SchedulerSettings(
        percentage_of_nodes_to_score=percentage or 0,
        parallelism=parallelism,
        pod_initial_backoff_seconds=initial,
        pod_max_backoff_seconds=maximum,
    )
    return settings, first


def _check_type_meta(doc: Mapping[str, Any]) -> None:
    api_version = doc.get("apiVersion")
    if api_version != d.API_VERSION:
        if api_version is None:
            message = f"is required: {d.API_VERSION}"
        elif isinstance(api_version, str) and api_version.startswith("kubescheduler.config.k8s.io/"):
            message = (
                f"{api_version} is not served by kube-scheduler v1.35; "
                f"convert the file to {d.API_VERSION}"
            )
        else:
            message = f"expected {d.API_VERSION}, got {api_version!r}"
        raise d.fail("apiVersion", message)
    if doc.get("kind") != KIND:
        raise d.fail("kind", f"expected {KIND}, got {doc.get('kind')!r}")


def _check_percentage(value: int, path: str) -> None:
    if not 0 <= value <= 100:
        raise d.fail(path, f"must be in the range [0, 100], got {value}")


def _check_profiles_agree(raw_profiles: list, profiles: list[Profile]) -> None:
    """Unique scheduler names, and one queueSort configuration for all (validation.go)."""
    seen: dict[str, int] = {}
    for i, p in enumerate(profiles):
        if p.scheduler_name in seen:
            raise d.fail(
                d.child(d.index("profiles", i), "schedulerName"),
                f"duplicate schedulerName {p.scheduler_name!r} (also profiles[{seen[p.scheduler_name]}])",
            )
        seen[p.scheduler_name] = i
    if len(raw_profiles) < 2:
        return
    canon = _queue_sort_config(raw_profiles[0])
    for i, raw in enumerate(raw_profiles[1:], start=1):
        if _queue_sort_config(raw) != canon:
            raise d.fail(
                d.child(d.index("profiles", i), "plugins.queueSort"),
                "queueSort plugins and their pluginConfig must be the same for all profiles",
            )


def _queue_sort_config(raw: Mapping[str, Any]) -> tuple:
    plugins = d.mapping(raw.get("plugins"), "")
    qs = d.mapping(plugins.get("queueSort"), "")
    enabled = tuple((p.get("name"), p.get("weight")) for p in qs.get("enabled") or ())
    disabled = tuple(sorted(str(p.get("name")) for p in qs.get("disabled") or ()))
    names = {name for name, _ in enabled}
    args = tuple(
        json.dumps(c.get("args"), sort_keys=True, default=str)
        for c in raw.get("pluginConfig") or ()
        if c.get("name") in names
    )
    return enabled, disabled, args


# --- One profile ----------------------------------------------------------------------------


def _decode_profile(raw: object, path: str, *, single: bool) -> Profile:
    obj = d.mapping(raw, path)
    d.check_fields(obj, PROFILE_FIELDS, path, "KubeSchedulerProfile")
    warnings: list[str] = []
    name = obj.get("schedulerName")
    if name is None and single:
        name = DEFAULT_SCHEDULER_NAME
    name = d.string(name or "", d.child(path, "schedulerName"))
    if not name:
        raise d.fail(d.child(path, "schedulerName"), "is required (every profile needs a name)")
    percentage = d.opt_int(obj, "percentageOfNodesToScore", path)
    if percentage is not None:
        _check_percentage(percentage, d.child(path, "percentageOfNodesToScore"))

    sets = _decode_plugins(obj.get("plugins"), d.child(path, "plugins"), warnings)
    args = _decode_plugin_config(obj, path, warnings)
    multi_point = _merge_plugin_set(
        [_Plugin(n, w or None) for n, w in DEFAULT_MULTIPOINT], sets[MULTI_POINT]
    )
    at = {point: _expand(point, multi_point, sets[point]) for point in POINTS}

    plugins_path = d.child(path, "plugins")
    if len(at["queueSort"]) != 1:
        raise d.fail(
            plugins_path,
            f"exactly one queueSort plugin is required (PrioritySort), got {len(at['queueSort'])}",
        )
    if not at["bind"]:
        raise d.fail(plugins_path, "at least one bind plugin is required (DefaultBinder), got 0")

    weights: dict[str, int] = {}
    for p in sets["score"].enabled + multi_point:
        if "score" in IMPLEMENTS[p.name]:
            weights.setdefault(p.name, p.weight or 1)
    return Profile(
        scheduler_name=name,
        percentage_of_nodes_to_score=percentage,
        pre_filters=tuple(at["preFilter"]),
        filters=tuple(at["filter"]),
        post_filters=tuple(at["postFilter"]),
        pre_scores=tuple(at["preScore"]),
        scores=tuple((n, weights[n]) for n in at["score"]),
        args=args,
        warnings=tuple(warnings),
    )


def _decode_plugins(raw: object, path: str, warnings: list[str]) -> dict[str, _PluginSet]:
    obj = d.mapping(raw, path)
    d.check_fields(obj, (*POINTS, MULTI_POINT), path, "Plugins")
    return {
        point: _decode_plugin_set(obj.get(point), d.child(path, point), point, warnings)
        for point in (*POINTS, MULTI_POINT)
    }


def _decode_plugin_set(raw: object, path: str, point: str, warnings: list[str]) -> _PluginSet:
    obj = d.mapping(raw, path)
    d.check_fields(obj, ("enabled", "disabled"), path, "PluginSet")
    result = _PluginSet()
    first_seen: dict[str, int] = {}
    enabled_path = d.child(path, "enabled")
    for i, item in enumerate(d.opt_list(obj, "enabled", path)):
        p = d.index(enabled_path, i)
        name, weight = _decode_plugin(item, p)
        if name in first_seen:
            raise d.fail(
                d.child(p, "name"),
                f"plugin {name} is enabled twice in {point} (also enabled[{first_seen[name]}])",
            )
        first_seen[name] = i
        if _usable(name, p, point, warnings):
            _check_weight(name, weight, p, point, warnings)
            result.enabled.append(_Plugin(name, weight))
    disabled_path = d.child(path, "disabled")
    for i, item in enumerate(d.opt_list(obj, "disabled", path)):
        p = d.index(disabled_path, i)
        name, _ = _decode_plugin(item, p)
        known = name == "*" or name in IMPLEMENTS or name in OUT_OF_SCOPE_REASONS
        if not known and name not in REMOVED_IN_V1:
            warnings.append(f"{p}: disabling {name}, which is not an in-tree plugin, has no effect")
        result.disabled.add(name)
    return result


def _decode_plugin(raw: object, path: str) -> tuple[str, int | None]:
    obj = d.mapping(raw, path)
    d.check_fields(obj, ("name", "weight"), path, "Plugin")
    name = d.opt_str(obj, "name", path)
    if not name:
        raise d.fail(d.child(path, "name"), "plugin name is required")
    return name, d.opt_int(obj, "weight", path)


def _usable(name: str, path: str, point: str, warnings: list[str]) -> bool:
    """Whether an enabled plugin is simulated; errors for names kube-scheduler rejects."""
    if name == "*":
        raise d.fail(d.child(path, "name"), "'*' is only allowed in disabled lists")
    if name in REMOVED_IN_V1:
        raise d.fail(
            d.child(path, "name"),
            f"{name} is invalid in {d.API_VERSION} (the in-tree cloud volume limit plugins were "
            "removed; NodeVolumeLimits replaces them)",
        )
    if name in OUT_OF_SCOPE_REASONS:
        warnings.append(f"{path}: {name} is out of scope ({OUT_OF_SCOPE_REASONS[name]}); ignored")
        return False
    if name not in IMPLEMENTS:
        raise d.fail(d.child(path, "name"), _unknown_plugin_message(name))
    if point != MULTI_POINT and point not in IMPLEMENTS[name]:
        raise d.fail(
            d.child(path, "name"),
            f"plugin {name} does not extend {point} "
            f"(it implements: {', '.join(sorted(IMPLEMENTS[name]))})",
        )
    return True


def _unknown_plugin_message(name: str) -> str:
    known = sorted(IMPLEMENTS)
    close = difflib.get_close_matches(name, known + sorted(OUT_OF_SCOPE_REASONS), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return (
        f"unknown plugin {name!r}{hint}: not a kube-scheduler v1.35 in-tree plugin "
        f"(out-of-tree plugins cannot be simulated); known plugins: {', '.join(known)}"
    )


def _check_weight(name: str, weight: int | None, path: str, point: str, warnings: list[str]) -> None:
    """Score weights are read from ``score`` and ``multiPoint`` entries only (getScoreWeights)."""
    if weight is None:
        return
    if "score" in IMPLEMENTS[name] and point in ("score", MULTI_POINT):
        if not MIN_PLUGIN_WEIGHT <= weight <= MAX_PLUGIN_WEIGHT:
            hint = (
                " (kube-scheduler reads an explicit 0 as unset, i.e. weight 1; to turn the score "
                "off, disable the plugin under score.disabled)"
                if weight == 0
                else ""
            )
            raise d.fail(
                d.child(path, "weight"),
                f"score weight of {name} must be in the range "
                f"[{MIN_PLUGIN_WEIGHT}, {MAX_PLUGIN_WEIGHT}], got {weight}{hint}",
            )
    elif weight != 0:
        warnings.append(
            f"{path}.weight: ignored (weights only apply to score plugins under score or multiPoint)"
        )


def _merge_plugin_set(defaults: list[_Plugin], custom: _PluginSet) -> list[_Plugin]:
    """mergePluginSet: defaults minus disabled ('*': all), enabled replace in place or append."""
    base = [] if "*" in custom.disabled else [p for p in defaults if p.name not in custom.disabled]
    custom_by_name = {p.name: p for p in custom.enabled}
    merged = [custom_by_name.get(p.name, p) for p in base]
    replaced = {p.name for p in base if p.name in custom_by_name}
    return merged + [p for p in custom.enabled if p.name not in replaced]


def _expand(point: str, multi_point: list[_Plugin], explicit: _PluginSet) -> list[str]:
    """expandMultiPointPlugins for one extension point (see the module docstring)."""
    names = [p.name for p in explicit.enabled]
    if "*" in explicit.disabled:
        return names
    overrides: set[str] = set()
    from_multi_point: list[str] = []
    for p in multi_point:
        if point not in IMPLEMENTS[p.name] or p.name in explicit.disabled:
            continue
        if p.name in names:
            overrides.add(p.name)
        else:
            from_multi_point.append(p.name)
    first = [n for n in names if n in overrides]
    last = [n for n in names if n not in overrides]
    return first + from_multi_point + last


def _decode_plugin_config(obj: Mapping[str, Any], path: str, warnings: list[str]) -> PluginArgs:
    base = d.child(path, "pluginConfig")
    seen: dict[str, int] = {}
    parsed: dict[str, object] = {}
    for i, item in enumerate(d.opt_list(obj, "pluginConfig", path)):
        p = d.index(base, i)
        entry = d.mapping(item, p)
        d.check_fields(entry, ("name", "args"), p, "PluginConfig")
        name = d.opt_str(entry, "name", p)
        if not name:
            raise d.fail(d.child(p, "name"), "plugin name is required")
        if name in seen:
            raise d.fail(
                d.child(p, "name"), f"duplicate pluginConfig for {name} (also pluginConfig[{seen[name]}])"
            )
        seen[name] = i
        if name in REMOVED_IN_V1:
            raise d.fail(d.child(p, "name"), f"{name} is invalid in {d.API_VERSION}")
        if name in OUT_OF_SCOPE_REASONS:
            warnings.append(f"{p}: {name} is out of scope ({OUT_OF_SCOPE_REASONS[name]}); args ignored")
        elif name in ARGS_PARSERS:
            attr, parse = ARGS_PARSERS[name]
            parsed[attr] = parse(entry.get("args"), d.child(p, "args"))
        elif name in IMPLEMENTS:
            if entry.get("args"):
                warnings.append(f"{p}: {name} takes no args; ignored")
        else:
            raise d.fail(d.child(p, "name"), _unknown_plugin_message(name))
    return PluginArgs(**parsed)


# --- YAML / JSON reading --------------------------------------------------------------------

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BaseLoader):
    """Safe YAML loader that rejects duplicate keys, as upstream's strict decoding does."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool):
                continue  # unhashable keys are rejected by the base constructor
            if key in seen:
                raise ConfigError(
                    f"duplicate key {key!r} in a mapping", line=key_node.start_mark.line + 1
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ConfigError(f"duplicate key {key!r} in a JSON object")
        out[key] = value
    return out


# --- Overrides ------------------------------------------------------------------------------


def _override_key_known(key: str) -> bool:
    if key in ("percentageOfNodesToScore", "scoringStrategy"):
        return True
    if key in ("scoringStrategy.resources", "scoringStrategy.shape"):
        return True
    return key.startswith(("weights.", "args.")) and len(key.split(".")) == 2


def _override_args(profile: Profile, key: str, value: object) -> Profile:
    name = key.split(".", 1)[1]
    if name not in ARGS_PARSERS:
        raise ConfigError(
            f"{name!r} has no args podbench models; plugins with args: {', '.join(ARGS_PARSERS)}",
            path=key,
        )
    attr, parse = ARGS_PARSERS[name]
    return replace(profile, args=replace(profile.args, **{attr: parse(value, key)}))


def _override_strategy(profile: Profile, values: dict[str, object]) -> Profile:
    current = profile.args.node_resources_fit.scoring_strategy
    raw = values.get("scoringStrategy")
    if isinstance(raw, Mapping):
        strategy = fit.parse_scoring_strategy(raw, "scoringStrategy")
    elif raw is None:
        strategy = current
    else:
        kind = d.string(raw, "scoringStrategy")
        if kind not in fit.STRATEGIES:
            raise ConfigError(
                f"unsupported scoring strategy {kind!r}; supported: {', '.join(fit.STRATEGIES)}",
                path="scoringStrategy",
            )
        strategy = replace(current, type=kind)
    if "scoringStrategy.resources" in values:
        key = "scoringStrategy.resources"
        items = values[key]
        if isinstance(items, Mapping):
            items = [{"name": n, "weight": w} for n, w in items.items()]
        resources = fit.parse_resources(d.opt_list({key: items}, key, ""), key)
        fit.validate_weights(resources, key)
        strategy = replace(strategy, resources=resources)
    if "scoringStrategy.shape" in values:
        key = "scoringStrategy.shape"
        items = values[key]
        if isinstance(items, list | tuple):
            items = [
                {"utilization": p[0], "score": p[1]} if isinstance(p, list | tuple) and len(p) == 2 else p
                for p in items
            ]
        shape = fit.parse_shape({"shape": items}, "scoringStrategy")
        strategy = replace(strategy, shape=shape)
    if strategy.type == fit.REQUESTED_TO_CAPACITY_RATIO:
        if not strategy.shape:
            raise ConfigError(
                "RequestedToCapacityRatio needs a shape: also set scoringStrategy.shape",
                path="scoringStrategy",
            )
    elif "scoringStrategy.shape" in values:
        raise ConfigError(
            f"a shape is only used by RequestedToCapacityRatio (strategy is {strategy.type})",
            path="scoringStrategy.shape",
        )
    else:
        strategy = replace(strategy, shape=())
    nrf = replace(profile.args.node_resources_fit, scoring_strategy=strategy)
    return replace(profile, args=replace(profile.args, node_resources_fit=nrf))


def _override_weight(profile: Profile, key: str, value: object) -> Profile:
    name = key.split(".", 1)[1]
    weight = d.integer(value, key)
    if name not in IMPLEMENTS or "score" not in IMPLEMENTS[name]:
        score_plugins = sorted(n for n, pts in IMPLEMENTS.items() if "score" in pts)
        raise ConfigError(
            f"{name!r} is not a score plugin; score plugins: {', '.join(score_plugins)}", path=key
        )
    if not 0 <= weight <= MAX_PLUGIN_WEIGHT:
        raise ConfigError(
            f"weight must be in the range [1, {MAX_PLUGIN_WEIGHT}] (0 disables the score plugin), "
            f"got {weight}",
            path=key,
        )
    if weight == 0:
        return replace(profile, scores=tuple((n, w) for n, w in profile.scores if n != name))
    if not profile.has_score(name):
        raise ConfigError(
            f"{name} does not score in this profile; enable it in the scheduler config "
            "(weights overrides only re-weight or disable)",
            path=key,
        )
    return replace(profile, scores=tuple((n, weight if n == name else w) for n, w in profile.scores))
