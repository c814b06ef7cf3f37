"""KubeSchedulerConfiguration loading: merge, expansion, weights, args and validation.

Expected plugin orders are derived by hand from upstream's rules (default_plugins.go
``mergePluginSet``; framework.go ``expandMultiPointPlugins`` and ``getScoreWeights``, whose own
unit tests ``TestNewFrameworkMultiPointExpansion`` are mirrored here with in-tree plugins).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from engine.errors import ConfigError, InputError
from engine.framework.config import (
    SchedulerSettings,
    apply_overrides,
    load_scheduler_config,
    load_scheduler_settings,
    profile_from_dict,
    settings_from_dict,
)
from engine.framework.plugins.node_resources_fit.args import (
    ResourceSpec,
    UtilizationShapePoint,
)
from engine.framework.profile import default_profile
from engine.objects import NodeSelectorTerm, Requirement

REPO = Path(__file__).resolve().parent.parent
CASES = Path("/work/shared/spec/cases-sample.json")
API = "kubescheduler.config.k8s.io/v1"

DEFAULT_FILTERS = (
    "NodeUnschedulable",
    "NodeName",
    "TaintToleration",
    "NodeAffinity",
    "NodePorts",
    "NodeResourcesFit",
    "PodTopologySpread",
    "InterPodAffinity",
)
DEFAULT_SCORES = (
    ("TaintToleration", 3),
    ("NodeAffinity", 2),
    ("NodeResourcesFit", 1),
    ("PodTopologySpread", 2),
    ("InterPodAffinity", 2),
    ("NodeResourcesBalancedAllocation", 1),
    ("ImageLocality", 1),
)


def config(plugins=None, plugin_config=None, **top) -> dict:
    profile: dict = {"schedulerName": "default-scheduler"}
    if plugins is not None:
        profile["plugins"] = plugins
    if plugin_config is not None:
        profile["pluginConfig"] = plugin_config
    return {"apiVersion": API, "kind": "KubeSchedulerConfiguration", "profiles": [profile], **top}


def fit_config(args: dict) -> dict:
    return config(plugin_config=[{"name": "NodeResourcesFit", "args": args}])


def error_of(doc: dict) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        profile_from_dict(doc, file="sched.yaml")
    assert isinstance(info.value, InputError)
    assert info.value.file == "sched.yaml"
    return info.value


# --- Defaults -------------------------------------------------------------------------------


def test_no_file_is_the_default_profile():
    assert load_scheduler_config(None) == default_profile()
    settings, profile = load_scheduler_settings(None)
    assert settings == SchedulerSettings(0, 16, 1, 10)
    assert profile == default_profile()


def test_minimal_config_equals_default_profile():
    bare = {"apiVersion": API, "kind": "KubeSchedulerConfiguration"}
    assert profile_from_dict(bare) == default_profile()
    assert profile_from_dict(config()) == default_profile()
    assert profile_from_dict({**bare, "profiles": []}) == default_profile()
    # Sanity check of the hand-written constants against the upstream table (spec §2).
    assert default_profile().filters == DEFAULT_FILTERS
    assert default_profile().scores == DEFAULT_SCORES


def test_top_level_settings_and_percentage_folding():
    doc = config(
        percentageOfNodesToScore=30,
        parallelism=4,
        podInitialBackoffSeconds=2,
        podMaxBackoffSeconds=60,
        leaderElection={"leaderElect": False},
        clientConnection={"qps": 100, "burst": 200},
        enableProfiling=False,
    )
    settings, profile = settings_from_dict(doc)
    assert settings == SchedulerSettings(30, 4, 2, 60)
    assert profile.percentage_of_nodes_to_score == 30
    # The profile's own value wins over the global one, even 0 (adaptive).
    doc["profiles"][0]["percentageOfNodesToScore"] = 0
    assert profile_from_dict(doc).percentage_of_nodes_to_score == 0
    doc["profiles"][0]["percentageOfNodesToScore"] = 70
    assert profile_from_dict(doc).percentage_of_nodes_to_score == 70


# --- multiPoint merge -----------------------------------------------------------------------


def test_multipoint_disable_removes_plugin_everywhere():
    p = profile_from_dict(
        config({"multiPoint": {"disabled": [{"name": "ImageLocality"}, {"name": "NodePorts"}]}})
    )
    assert p.filters == tuple(n for n in DEFAULT_FILTERS if n != "NodePorts")
    assert "NodePorts" not in p.pre_filters
    assert p.scores == tuple(s for s in DEFAULT_SCORES if s[0] != "ImageLocality")


def test_multipoint_enable_of_a_default_replaces_it_in_place():
    p = profile_from_dict(config({"multiPoint": {"enabled": [{"name": "InterPodAffinity", "weight": 7}]}}))
    assert p.scores == tuple((n, 7 if n == "InterPodAffinity" else w) for n, w in DEFAULT_SCORES)
    assert p.filters == DEFAULT_FILTERS
    # Re-enabling without a weight replaces the default weight (2) with the unset one: 1.
    p = profile_from_dict(config({"multiPoint": {"enabled": [{"name": "NodeAffinity"}]}}))
    assert p.score_weight("NodeAffinity") == 1
    assert p.score_weight("TaintToleration") == 3


def test_multipoint_disabled_and_enabled_moves_plugin_to_the_end():
    p = profile_from_dict(
        config(
            {
                "multiPoint": {
                    "enabled": [{"name": "TaintToleration", "weight": 4}],
                    "disabled": [{"name": "TaintToleration"}],
                }
            }
        )
    )
    assert p.filters == tuple(n for n in DEFAULT_FILTERS if n != "TaintToleration") + (
        "TaintToleration",
    )
    assert p.scores[-1] == ("TaintToleration", 4)
    assert len(p.scores) == len(DEFAULT_SCORES)


def test_multipoint_star_disables_all_defaults():
    p = profile_from_dict(
        config(
            {
                "multiPoint": {
                    "enabled": [
                        {"name": "PrioritySort"},
                        {"name": "DefaultBinder"},
                        {"name": "NodeResourcesFit", "weight": 2},
                    ],
                    "disabled": [{"name": "*"}],
                }
            }
        )
    )
    assert p.pre_filters == ("NodeResourcesFit",)
    assert p.filters == ("NodeResourcesFit",)
    assert p.post_filters == ()
    assert p.pre_scores == ("NodeResourcesFit",)
    assert p.scores == (("NodeResourcesFit", 2),)


def test_star_without_queue_sort_or_binder_is_rejected():
    e = error_of(config({"multiPoint": {"disabled": [{"name": "*"}]}}))
    assert e.path == "profiles[0].plugins"
    assert "queueSort" in e.message and "got 0" in e.message
    e = error_of(
        config({"multiPoint": {"enabled": [{"name": "PrioritySort"}], "disabled": [{"name": "*"}]}})
    )
    assert "bind plugin" in e.message


# --- Per-extension-point configuration ------------------------------------------------------


def test_score_point_weight_overrides_multipoint_weight_and_goes_first():
    p = profile_from_dict(config({"score": {"enabled": [{"name": "NodeResourcesFit", "weight": 5}]}}))
    assert p.scores == (("NodeResourcesFit", 5),) + tuple(
        s for s in DEFAULT_SCORES if s[0] != "NodeResourcesFit"
    )
    assert p.filters == DEFAULT_FILTERS
    assert p.pre_scores == default_profile().pre_scores


def test_score_point_explicit_order_and_unset_weight_like_upstream_reorder_case():
    # Mirrors "Reorder MultiPoint plugins (specified extension takes precedence)": explicit
    # plugins that are multiPoint plugins first, in explicit order; an explicit entry without
    # weight gets 1 (getScoreWeights reads the score entry before multiPoint).
    p = profile_from_dict(
        config(
            {
                "score": {
                    "enabled": [{"name": "ImageLocality", "weight": 5}, {"name": "TaintToleration"}]
                }
            }
        )
    )
    assert p.scores == (
        ("ImageLocality", 5),
        ("TaintToleration", 1),
        ("NodeAffinity", 2),
        ("NodeResourcesFit", 1),
        ("PodTopologySpread", 2),
        ("InterPodAffinity", 2),
        ("NodeResourcesBalancedAllocation", 1),
    )


def test_explicit_plugin_not_in_multipoint_goes_last():
    # Mirrors "specified extension only takes precedence when it exists in MultiPoint".
    p = profile_from_dict(
        config(
            {
                "multiPoint": {"disabled": [{"name": "ImageLocality"}]},
                "score": {"enabled": [{"name": "ImageLocality", "weight": 9}, {"name": "NodeAffinity"}]},
            }
        )
    )
    assert p.scores == (
        ("NodeAffinity", 1),
        ("TaintToleration", 3),
        ("NodeResourcesFit", 1),
        ("PodTopologySpread", 2),
        ("InterPodAffinity", 2),
        ("NodeResourcesBalancedAllocation", 1),
        ("ImageLocality", 9),
    )


def test_star_disabled_at_one_point_keeps_only_explicit_plugins_there():
    p = profile_from_dict(
        config({"score": {"disabled": [{"name": "*"}], "enabled": [{"name": "ImageLocality"}]}})
    )
    assert p.scores == (("ImageLocality", 1),)
    assert p.filters == DEFAULT_FILTERS
    assert p.pre_scores == default_profile().pre_scores
    p = profile_from_dict(config({"preScore": {"disabled": [{"name": "*"}]}}))
    assert p.pre_scores == ()
    assert p.scores == DEFAULT_SCORES


def test_disabling_at_one_point_keeps_the_other_points():
    p = profile_from_dict(config({"filter": {"disabled": [{"name": "TaintToleration"}]}}))
    assert "TaintToleration" not in p.filters
    assert p.score_weight("TaintToleration") == 3
    assert "TaintToleration" in p.pre_scores


def test_plugin_enabled_at_a_point_it_does_not_implement():
    e = error_of(config({"filter": {"enabled": [{"name": "ImageLocality"}]}}))
    assert e.path == "profiles[0].plugins.filter.enabled[0].name"
    assert "does not extend filter" in e.message


def test_plugin_enabled_twice():
    e = error_of(config({"multiPoint": {"enabled": [{"name": "NodePorts"}, {"name": "NodePorts"}]}}))
    assert e.path == "profiles[0].plugins.multiPoint.enabled[1].name"
    assert "enabled twice" in e.message


DUMPED_V1_35 = """\
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection: {acceptContentTypes: "", burst: 100, contentType: application/vnd.kubernetes.protobuf, kubeconfig: "", qps: 50}
enableContentionProfiling: true
enableProfiling: true
leaderElection: {leaderElect: true, leaseDuration: 15s, renewDeadline: 10s, resourceLock: leases, resourceName: kube-scheduler, resourceNamespace: kube-system, retryPeriod: 2s}
parallelism: 16
percentageOfNodesToScore: 0
podInitialBackoffSeconds: 1
podMaxBackoffSeconds: 10
profiles:
- schedulerName: default-scheduler
  plugins:
    bind: {}
    filter: {}
    multiPoint:
      enabled:
      - {name: SchedulingGates, weight: 0}
      - {name: PrioritySort, weight: 0}
      - {name: NodeUnschedulable, weight: 0}
      - {name: NodeName, weight: 0}
      - {name: TaintToleration, weight: 3}
      - {name: NodeAffinity, weight: 2}
      - {name: NodePorts, weight: 0}
      - {name: NodeResourcesFit, weight: 1}
      - {name: VolumeRestrictions, weight: 0}
      - {name: NodeVolumeLimits, weight: 0}
      - {name: VolumeBinding, weight: 0}
      - {name: VolumeZone, weight: 0}
      - {name: PodTopologySpread, weight: 2}
      - {name: InterPodAffinity, weight: 2}
      - {name: DynamicResources, weight: 0}
      - {name: DefaultPreemption, weight: 0}
      - {name: NodeResourcesBalancedAllocation, weight: 1}
      - {name: ImageLocality, weight: 1}
      - {name: DefaultBinder, weight: 0}
    permit: {}
    postBind: {}
    postFilter: {}
    preBind: {}
    preEnqueue: {}
    preFilter: {}
    preScore: {}
    queueSort: {}
    reserve: {}
    score: {}
  pluginConfig:
  - name: DefaultPreemption
    args: {apiVersion: kubescheduler.config.k8s.io/v1, kind: DefaultPreemptionArgs, minCandidateNodesAbsolute: 100, minCandidateNodesPercentage: 10}
  - name: InterPodAffinity
    args: {apiVersion: kubescheduler.config.k8s.io/v1, kind: InterPodAffinityArgs, hardPodAffinityWeight: 1, ignorePreferredTermsOfExistingPods: false}
  - name: NodeAffinity
    args: {apiVersion: kubescheduler.config.k8s.io/v1, kind: NodeAffinityArgs}
  - name: NodeResourcesBalancedAllocation
    args: {apiVersion: kubescheduler.config.k8s.io/v1, kind: NodeResourcesBalancedAllocationArgs, resources: [{name: cpu, weight: 1}, {name: memory, weight: 1}]}
  - name: NodeResourcesFit
    args:
      apiVersion: kubescheduler.config.k8s.io/v1
      kind: NodeResourcesFitArgs
      scoringStrategy:
        resources: [{name: cpu, weight: 1}, {name: memory, weight: 1}]
        type: LeastAllocated
  - name: PodTopologySpread
    args: {apiVersion: kubescheduler.config.k8s.io/v1, kind: PodTopologySpreadArgs, defaultingType: System}
  - name: VolumeBinding
    args: {apiVersion: kubescheduler.config.k8s.io/v1, kind: VolumeBindingArgs, bindTimeoutSeconds: 600}
"""


def test_dumped_default_config_is_the_default_profile(tmp_path):
    # The shape of `kube-scheduler --write-config-to` output: every default made explicit.
    path = tmp_path / "dumped.yaml"
    path.write_text(DUMPED_V1_35)
    settings, p = load_scheduler_settings(path)
    assert settings == SchedulerSettings(0, 16, 1, 10)
    assert replace(p, warnings=()) == replace(default_profile(), percentage_of_nodes_to_score=0)
    out_of_scope = [w.split(": ")[1].split(" ")[0] for w in p.warnings]
    assert out_of_scope == [
        "VolumeRestrictions",
        "NodeVolumeLimits",
        "VolumeBinding",
        "VolumeZone",
        "DynamicResources",
        "VolumeBinding",
    ]


# --- Plugin names ---------------------------------------------------------------------------


def test_unknown_plugin_is_an_error_listing_known_plugins():
    e = error_of(config({"multiPoint": {"enabled": [{"name": "NodeResourceFit"}]}}))
    assert e.path == "profiles[0].plugins.multiPoint.enabled[0].name"
    assert "unknown plugin 'NodeResourceFit'" in e.message
    assert "did you mean NodeResourcesFit" in e.message
    assert "InterPodAffinity" in e.message and "PrioritySort" in e.message
    assert str(e).startswith("sched.yaml, field profiles[0].plugins.multiPoint.enabled[0].name: ")


def test_out_of_tree_plugin_is_an_error():
    e = error_of(config({"score": {"enabled": [{"name": "Coscheduling", "weight": 3}]}}))
    assert "not a kube-scheduler v1.35 in-tree plugin" in e.message


def test_out_of_scope_plugin_is_ignored_with_a_warning():
    p = profile_from_dict(
        config({"multiPoint": {"enabled": [{"name": "VolumeBinding"}, {"name": "DynamicResources"}]}})
    )
    assert p.scores == DEFAULT_SCORES and p.filters == DEFAULT_FILTERS
    assert p.warnings == (
        "profiles[0].plugins.multiPoint.enabled[0]: VolumeBinding is out of scope "
        "(volumes are not modelled); ignored",
        "profiles[0].plugins.multiPoint.enabled[1]: DynamicResources is out of scope "
        "(dynamic resource allocation is not modelled); ignored",
    )


def test_plugin_removed_from_v1_is_an_error():
    e = error_of(config({"filter": {"enabled": [{"name": "EBSLimits"}]}}))
    assert "invalid in kubescheduler.config.k8s.io/v1" in e.message


def test_disabling_an_unknown_plugin_only_warns():
    p = profile_from_dict(config({"score": {"disabled": [{"name": "Coscheduling"}]}}))
    assert p.scores == DEFAULT_SCORES
    assert any("Coscheduling" in w and "no effect" in w for w in p.warnings)


# --- Weights --------------------------------------------------------------------------------


@pytest.mark.parametrize("weight", [0, 101, -1])
def test_score_weight_out_of_range(weight):
    e = error_of(
        config(
            {
                "score": {
                    "enabled": [
                        {"name": "NodeAffinity", "weight": 2},
                        {"name": "ImageLocality", "weight": 3},
                        {"name": "NodeResourcesFit", "weight": weight},
                    ]
                }
            }
        )
    )
    assert e.path == "profiles[0].plugins.score.enabled[2].weight"
    assert f"must be in the range [1, 100], got {weight}" in e.message


def test_multipoint_weight_out_of_range():
    e = error_of(config({"multiPoint": {"enabled": [{"name": "TaintToleration", "weight": 101}]}}))
    assert e.path == "profiles[0].plugins.multiPoint.enabled[0].weight"
    assert "got 101" in e.message


def test_weight_of_non_score_plugin_zero_is_accepted_nonzero_warns():
    # kube-scheduler --write-config-to dumps "weight: 0" for every non-score plugin.
    p = profile_from_dict(config({"multiPoint": {"enabled": [{"name": "NodePorts", "weight": 0}]}}))
    assert p.warnings == ()
    p = profile_from_dict(config({"multiPoint": {"enabled": [{"name": "NodePorts", "weight": 5}]}}))
    assert p.warnings and "ignored" in p.warnings[0]


def test_weight_must_be_an_integer():
    e = error_of(config({"score": {"enabled": [{"name": "ImageLocality", "weight": "3"}]}}))
    assert e.path == "profiles[0].plugins.score.enabled[0].weight"
    assert "expected an integer" in e.message


# --- pluginConfig: every args type ----------------------------------------------------------


def test_every_args_type_is_parsed():
    p = profile_from_dict(
        config(
            plugin_config=[
                {
                    "name": "NodeResourcesFit",
                    "args": {
                        "apiVersion": API,
                        "kind": "NodeResourcesFitArgs",
                        "ignoredResources": ["example.com/foo"],
                        "ignoredResourceGroups": ["example.com"],
                        "scoringStrategy": {
                            "type": "MostAllocated",
                            "resources": [{"name": "cpu", "weight": 2}, {"name": "memory"}],
                        },
                    },
                },
                {
                    "name": "NodeResourcesBalancedAllocation",
                    "args": {"resources": [{"name": "cpu"}, {"name": "nvidia.com/gpu", "weight": 1}]},
                },
                {
                    "name": "NodeAffinity",
                    "args": {
                        "addedAffinity": {
                            "requiredDuringSchedulingIgnoredDuringExecution": {
                                "nodeSelectorTerms": [
                                    {
                                        "matchExpressions": [
                                            {"key": "zone", "operator": "In", "values": ["a", "b"]}
                                        ],
                                        "matchFields": [
                                            {"key": "metadata.name", "operator": "NotIn", "values": ["n1"]}
                                        ],
                                    }
                                ]
                            },
                            "preferredDuringSchedulingIgnoredDuringExecution": [
                                {
                                    "weight": 5,
                                    "preference": {
                                        "matchExpressions": [{"key": "disk", "operator": "Exists"}]
                                    },
                                },
                                {
                                    "weight": 0,
                                    "preference": {
                                        "matchExpressions": [{"key": "x", "operator": "Bogus"}]
                                    },
                                },
                            ],
                        }
                    },
                },
                {
                    "name": "PodTopologySpread",
                    "args": {
                        "defaultingType": "List",
                        "defaultConstraints": [
                            {
                                "maxSkew": 1,
                                "topologyKey": "topology.kubernetes.io/zone",
                                "whenUnsatisfiable": "DoNotSchedule",
                            }
                        ],
                    },
                },
                {
                    "name": "InterPodAffinity",
                    "args": {"hardPodAffinityWeight": 0, "ignorePreferredTermsOfExistingPods": True},
                },
                {
                    "name": "DefaultPreemption",
                    "args": {"minCandidateNodesPercentage": 20, "minCandidateNodesAbsolute": 50},
                },
            ]
        )
    )
    fit = p.args.node_resources_fit
    assert fit.ignored_resources == ("example.com/foo",)
    assert fit.ignored_resource_groups == ("example.com",)
    assert fit.scoring_strategy.type == "MostAllocated"
    assert fit.scoring_strategy.resources == (ResourceSpec("cpu", 2), ResourceSpec("memory", 1))
    assert p.args.balanced_allocation.resources == (
        ResourceSpec("cpu", 1),
        ResourceSpec("nvidia.com/gpu", 1),
    )
    na = p.args.node_affinity.added_affinity
    assert na.required == (
        NodeSelectorTerm(
            match_expressions=(Requirement("zone", "In", ("a", "b")),),
            match_fields=(Requirement("metadata.name", "NotIn", ("n1",)),),
        ),
    )
    # The weight-0 term is skipped without validation, as upstream.
    assert len(na.preferred) == 1 and na.preferred[0].weight == 5
    assert na.preferred[0].preference.match_expressions == (Requirement("disk", "Exists", ()),)
    pts = p.args.pod_topology_spread
    assert pts.defaulting_type == "List" and not pts.system_defaulted
    assert [(c.max_skew, c.topology_key, c.when_unsatisfiable) for c in pts.default_constraints] == [
        (1, "topology.kubernetes.io/zone", "DoNotSchedule")
    ]
    assert pts.effective_default_constraints == pts.default_constraints
    assert p.args.inter_pod_affinity.hard_pod_affinity_weight == 0
    assert p.args.inter_pod_affinity.ignore_preferred_terms_of_existing_pods is True
    assert p.args.default_preemption.min_candidate_nodes_percentage == 20
    assert p.args.default_preemption.min_candidate_nodes_absolute == 50
    assert p.scores == DEFAULT_SCORES


def test_args_defaults_and_empty_args():
    p = profile_from_dict(
        config(
            plugin_config=[
                {"name": "NodeResourcesFit", "args": {"scoringStrategy": {"type": "MostAllocated"}}},
                {"name": "InterPodAffinity"},
                {"name": "DefaultPreemption", "args": {"minCandidateNodesAbsolute": 0}},
            ]
        )
    )
    # No resources: cpu and memory, weight 1 (SetDefaults_NodeResourcesFitArgs).
    assert p.args.node_resources_fit.scoring_strategy.resources == (
        ResourceSpec("cpu", 1),
        ResourceSpec("memory", 1),
    )
    assert p.args.inter_pod_affinity.hard_pod_affinity_weight == 1
    assert p.args.default_preemption.min_candidate_nodes_percentage == 10
    assert p.args.default_preemption.min_candidate_nodes_absolute == 0


def test_resource_weight_zero_defaults_to_one():
    p = profile_from_dict(
        fit_config({"scoringStrategy": {"type": "LeastAllocated", "resources": [{"name": "cpu", "weight": 0}]}})
    )
    assert p.args.node_resources_fit.scoring_strategy.resources == (ResourceSpec("cpu", 1),)


def test_args_kind_must_match_the_plugin():
    e = error_of(fit_config({"kind": "InterPodAffinityArgs"}))
    assert e.path == "profiles[0].pluginConfig[0].args.kind"
    assert "NodeResourcesFitArgs" in e.message


def _config_validation_cases():
    data = json.loads(CASES.read_text())
    cases = [c for c in data["cases"] if c.get("extension_point") == "config-validation"]
    assert len(cases) == 4
    return cases


@pytest.mark.parametrize("case", _config_validation_cases(), ids=lambda c: c["id"])
def test_upstream_config_validation_cases(case):
    assert case["plugin"] == "NodeResourcesFit" and case["expect"]["config_error"] is True
    e = error_of(fit_config(case["args"]))
    assert e.path.startswith("profiles[0].pluginConfig[0].args.")
    assert e.path.endswith(case["expect"]["field"])
    assert "must be in the range [1, 100]" in e.message


def test_rtcr_shape_is_parsed():
    p = profile_from_dict(
        fit_config(
            {
                "scoringStrategy": {
                    "type": "RequestedToCapacityRatio",
                    "requestedToCapacityRatio": {
                        "shape": [{"utilization": 0, "score": 10}, {"utilization": 100, "score": 0}]
                    },
                }
            }
        )
    )
    strategy = p.args.node_resources_fit.scoring_strategy
    assert strategy.shape == (UtilizationShapePoint(0, 10), UtilizationShapePoint(100, 0))
    assert strategy.resources == (ResourceSpec("cpu", 1), ResourceSpec("memory", 1))


@pytest.mark.parametrize(
    ("shape", "field", "text"),
    [
        ([{"utilization": 50, "score": 1}, {"utilization": 50, "score": 2}], "shape[1].utilization", "increasing"),
        ([{"utilization": 60, "score": 1}, {"utilization": 40, "score": 2}], "shape[1].utilization", "increasing"),
        ([{"utilization": 0, "score": 11}], "shape[0].score", "[0, 10], got 11"),
        ([{"utilization": 0, "score": -1}], "shape[0].score", "[0, 10], got -1"),
        ([{"utilization": 101, "score": 1}], "shape[0].utilization", "[0, 100], got 101"),
        ([], "requestedToCapacityRatio.shape", "at least one point"),
    ],
)
def test_malformed_shape(shape, field, text):
    e = error_of(
        fit_config(
            {
                "scoringStrategy": {
                    "type": "RequestedToCapacityRatio",
                    "requestedToCapacityRatio": {"shape": shape},
                }
            }
        )
    )
    assert e.path.endswith(field)
    assert text in e.message


def test_strategy_type_and_rtcr_consistency():
    e = error_of(fit_config({"scoringStrategy": {"resources": [{"name": "cpu"}]}}))
    assert e.path == "profiles[0].pluginConfig[0].args.scoringStrategy.type"
    assert "unsupported scoring strategy ''" in e.message
    e = error_of(fit_config({"scoringStrategy": {"type": "RequestedToCapacityRatio"}}))
    assert e.path.endswith("scoringStrategy.requestedToCapacityRatio")
    assert "must be specified" in e.message
    e = error_of(
        fit_config(
            {
                "scoringStrategy": {
                    "type": "MostAllocated",
                    "requestedToCapacityRatio": {"shape": [{"utilization": 0, "score": 0}]},
                }
            }
        )
    )
    assert e.path.endswith("scoringStrategy.requestedToCapacityRatio")
    assert "must not be set" in e.message


def test_ignored_resource_groups_cannot_contain_a_slash():
    e = error_of(fit_config({"ignoredResourceGroups": ["example.com/foo"]}))
    assert e.path == "profiles[0].pluginConfig[0].args.ignoredResourceGroups[0]"
    assert "can't contain '/'" in e.message


def test_unknown_args_field_is_an_error_with_hint():
    e = error_of(fit_config({"scoringstrategy": {"type": "MostAllocated"}}))
    assert e.path == "profiles[0].pluginConfig[0].args.scoringstrategy"
    assert 'did you mean "scoringStrategy"' in e.message


@pytest.mark.parametrize(
    ("name", "args", "field", "text"),
    [
        ("NodeResourcesBalancedAllocation", {"resources": [{"name": "cpu", "weight": 2}]}, "resources[0].weight", "must be 1"),
        ("NodeResourcesBalancedAllocation", {"resources": [{"name": "cpu"}, {"name": "cpu"}]}, "resources[1].name", "duplicate"),
        ("InterPodAffinity", {"hardPodAffinityWeight": 101}, "hardPodAffinityWeight", "[0, 100], got 101"),
        ("DefaultPreemption", {"minCandidateNodesPercentage": 101}, "minCandidateNodesPercentage", "got 101"),
        ("DefaultPreemption", {"minCandidateNodesAbsolute": -1}, "minCandidateNodesAbsolute", "at least 0"),
        ("DefaultPreemption", {"minCandidateNodesPercentage": 0, "minCandidateNodesAbsolute": 0}, "minCandidateNodesPercentage", "both be 0"),
        (
            "PodTopologySpread",
            {"defaultConstraints": [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}]},
            "defaultingType",
            "must be List",
        ),
        ("PodTopologySpread", {"defaultingType": "Other"}, "defaultingType", "unsupported value"),
        (
            "PodTopologySpread",
            {"defaultingType": "List", "defaultConstraints": [{"maxSkew": 0, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}]},
            "defaultConstraints[0].maxSkew",
            "greater than 0",
        ),
        (
            "PodTopologySpread",
            {"defaultingType": "List", "defaultConstraints": [{"maxSkew": 1, "whenUnsatisfiable": "DoNotSchedule"}]},
            "defaultConstraints[0].topologyKey",
            "required",
        ),
        (
            "PodTopologySpread",
            {"defaultingType": "List", "defaultConstraints": [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "Maybe"}]},
            "defaultConstraints[0].whenUnsatisfiable",
            "unsupported value",
        ),
        (
            "PodTopologySpread",
            {
                "defaultingType": "List",
                "defaultConstraints": [
                    {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {}}
                ],
            },
            "defaultConstraints[0].labelSelector",
            "must not define a selector",
        ),
        (
            "PodTopologySpread",
            {
                "defaultingType": "List",
                "defaultConstraints": [
                    {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"},
                    {"maxSkew": 3, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"},
                ],
            },
            "defaultConstraints[1]",
            "duplicate constraint",
        ),
        (
            "NodeAffinity",
            {"addedAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "a", "operator": "Bogus"}]}]}}},
            "nodeSelectorTerms[0].matchExpressions[0].operator",
            "unsupported operator",
        ),
        (
            "NodeAffinity",
            {"addedAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "a", "operator": "In"}]}]}}},
            "nodeSelectorTerms[0].matchExpressions[0].values",
            "at least one value",
        ),
        (
            "NodeAffinity",
            {"addedAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "preference": {"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["x"]}]}}]}},
            "preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0].values[0]",
            "integer",
        ),
        (
            "NodeAffinity",
            {"addedAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["a", "b"]}]}]}}},
            "matchFields[0].values",
            "one element",
        ),
    ],
)
def test_args_validation(name, args, field, text):
    e = error_of(config(plugin_config=[{"name": name, "args": args}]))
    assert e.path.startswith("profiles[0].pluginConfig[0].args.")
    assert e.path.endswith(field)
    assert text in e.message


def test_plugin_config_names():
    e = error_of(config(plugin_config=[{"name": "NodeResourceFit", "args": {}}]))
    assert e.path == "profiles[0].pluginConfig[0].name" and "unknown plugin" in e.message
    e = error_of(
        config(
            plugin_config=[
                {"name": "InterPodAffinity", "args": {}},
                {"name": "InterPodAffinity", "args": {}},
            ]
        )
    )
    assert e.path == "profiles[0].pluginConfig[1].name" and "duplicate pluginConfig" in e.message
    p = profile_from_dict(
        config(
            plugin_config=[
                {"name": "VolumeBinding", "args": {"bindTimeoutSeconds": 60}},
                {"name": "ImageLocality", "args": {"foo": 1}},
            ]
        )
    )
    assert p.scores == DEFAULT_SCORES
    assert p.warnings[0].startswith("profiles[0].pluginConfig[0]: VolumeBinding is out of scope")
    assert "ImageLocality takes no args" in p.warnings[1]


# --- Profiles and top level -----------------------------------------------------------------


def test_second_profile_is_ignored_with_a_warning():
    doc = config()
    doc["profiles"].append(
        {"schedulerName": "bin-packer", "plugins": {"score": {"disabled": [{"name": "*"}]}}}
    )
    p = profile_from_dict(doc)
    assert p.scheduler_name == "default-scheduler"
    assert p.scores == DEFAULT_SCORES
    assert "profiles[1] (schedulerName bin-packer) ignored: podbench simulates one profile" in p.warnings


def test_ignored_profiles_are_still_validated():
    doc = config()
    doc["profiles"].append({"schedulerName": "x", "plugins": {"filter": {"enabled": [{"name": "Nope"}]}}})
    assert error_of(doc).path == "profiles[1].plugins.filter.enabled[0].name"
    doc["profiles"][1] = {"schedulerName": "default-scheduler"}
    e = error_of(doc)
    assert e.path == "profiles[1].schedulerName" and "duplicate schedulerName" in e.message
    doc["profiles"][1] = {}
    e = error_of(doc)
    assert e.path == "profiles[1].schedulerName" and "required" in e.message


def test_extenders_are_ignored_with_a_warning():
    p = profile_from_dict(config(extenders=[{"urlPrefix": "http://x", "filterVerb": "filter"}]))
    assert p.warnings == ("extenders: 1 extender(s) ignored: extenders are not modelled",)


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"apiVersion": "kubescheduler.config.k8s.io/v1beta3"}, "apiVersion", "not served by kube-scheduler v1.35"),
        ({"apiVersion": "v1"}, "apiVersion", "expected kubescheduler.config.k8s.io/v1"),
        ({"kind": "Scheduler"}, "kind", "expected KubeSchedulerConfiguration"),
        ({"percentageOfNodeToScore": 10}, "percentageOfNodeToScore", "unknown field"),
        ({"percentageOfNodesToScore": 101}, "percentageOfNodesToScore", "[0, 100], got 101"),
        ({"percentageOfNodesToScore": "50"}, "percentageOfNodesToScore", "expected an integer"),
        ({"parallelism": 0}, "parallelism", "greater than 0"),
        ({"podInitialBackoffSeconds": 0}, "podInitialBackoffSeconds", "greater than 0"),
        ({"podInitialBackoffSeconds": 5, "podMaxBackoffSeconds": 4}, "podMaxBackoffSeconds", "greater than or equal"),
        ({"leaderElection": {"leaderElect": False, "bogus": 1}}, "leaderElection.bogus", "unknown field"),
        ({"profiles": [{"schedulerName": "default-scheduler", "plugin": {}}]}, "profiles[0].plugin", 'did you mean "plugins"'),
        ({"profiles": [{"plugins": {"scores": {}}}]}, "profiles[0].plugins.scores", "unknown field"),
        ({"profiles": [{"percentageOfNodesToScore": -1}]}, "profiles[0].percentageOfNodesToScore", "got -1"),
    ],
)
def test_top_level_validation(change, field, text):
    e = error_of({**config(), **change})
    assert e.path == field
    assert text in e.message


def test_not_a_mapping():
    with pytest.raises(ConfigError) as info:
        profile_from_dict(["not", "a", "mapping"], file="x.yaml")  # type: ignore[arg-type]
    assert "expected a KubeSchedulerConfiguration mapping" in info.value.message


# --- Files ----------------------------------------------------------------------------------

YAML_TEXT = """\
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 40
profiles:
  - schedulerName: default-scheduler
    plugins:
      score:
        disabled:
          - name: ImageLocality
    pluginConfig:
      - name: NodeResourcesFit
        args:
          scoringStrategy:
            type: MostAllocated
"""


def test_yaml_and_json_files_give_the_same_profile(tmp_path):
    import yaml

    y = tmp_path / "sched.yaml"
    y.write_text(YAML_TEXT)
    j = tmp_path / "sched.json"
    j.write_text(json.dumps(yaml.safe_load(YAML_TEXT)))
    from_yaml = load_scheduler_config(y)
    assert from_yaml == load_scheduler_config(str(j))
    assert from_yaml.percentage_of_nodes_to_score == 40
    assert from_yaml.scores == tuple(s for s in DEFAULT_SCORES if s[0] != "ImageLocality")
    assert from_yaml.args.node_resources_fit.scoring_strategy.type == "MostAllocated"


def test_file_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(YAML_TEXT.replace("type: MostAllocated", "type: Most"))
    with pytest.raises(ConfigError) as info:
        load_scheduler_config(bad)
    assert info.value.file == str(bad)
    assert str(info.value).startswith(
        f"{bad}, field profiles[0].pluginConfig[0].args.scoringStrategy.type: "
    )

    dup = tmp_path / "dup.yaml"
    dup.write_text(YAML_TEXT + "percentageOfNodesToScore: 10\n")
    with pytest.raises(ConfigError) as info:
        load_scheduler_config(dup)
    assert "duplicate key 'percentageOfNodesToScore'" in info.value.message
    assert info.value.line == YAML_TEXT.count("\n") + 1

    syntax = tmp_path / "syntax.yaml"
    syntax.write_text("apiVersion: [unclosed\n")
    with pytest.raises(ConfigError) as info:
        load_scheduler_config(syntax)
    assert info.value.message.startswith("invalid YAML")
    assert info.value.line is not None

    two = tmp_path / "two.yaml"
    two.write_text(YAML_TEXT + "---\n" + YAML_TEXT)
    with pytest.raises(ConfigError) as info:
        load_scheduler_config(two)
    assert "found 2" in info.value.message

    badjson = tmp_path / "bad.json"
    badjson.write_text('{"apiVersion": "kubescheduler.config.k8s.io/v1", "kind": }')
    with pytest.raises(ConfigError) as info:
        load_scheduler_config(badjson)
    assert info.value.message.startswith("invalid JSON") and info.value.line == 1

    with pytest.raises(ConfigError) as info:
        load_scheduler_config(tmp_path / "missing.yaml")
    assert "cannot read scheduler config" in info.value.message


def test_shipped_example_configs_load():
    most = load_scheduler_config(REPO / "bench/configs/most-allocated.yaml")
    assert most.args.node_resources_fit.scoring_strategy.type == "MostAllocated"
    assert most.scores == DEFAULT_SCORES and most.warnings == ()
    rtcr = load_scheduler_config(REPO / "bench/configs/rtcr-binpack.yaml")
    strategy = rtcr.args.node_resources_fit.scoring_strategy
    assert strategy.type == "RequestedToCapacityRatio"
    assert strategy.shape == (UtilizationShapePoint(0, 0), UtilizationShapePoint(100, 10))
    assert strategy.resources == (ResourceSpec("cpu", 1), ResourceSpec("memory", 1))


def test_documented_example_loads(tmp_path):
    text = (REPO / "docs/scheduler-config.md").read_text()
    block = text.split("## Example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.yaml"
    path.write_text(block)
    p = load_scheduler_config(path)
    assert p.scores == (("NodeResourcesFit", 5),) + tuple(
        s for s in DEFAULT_SCORES if s[0] not in ("NodeResourcesFit", "ImageLocality")
    )
    assert p.args.node_resources_fit.scoring_strategy.type == "RequestedToCapacityRatio"


# --- Overrides ------------------------------------------------------------------------------


def test_overrides():
    base = default_profile()
    p = apply_overrides(
        base,
        {
            "percentageOfNodesToScore": 50,
            "scoringStrategy": "MostAllocated",
            "weights.NodeResourcesFit": 5,
            "weights.PodTopologySpread": 0,
        },
    )
    assert p.percentage_of_nodes_to_score == 50
    assert p.args.node_resources_fit.scoring_strategy.type == "MostAllocated"
    assert p.score_weight("NodeResourcesFit") == 5
    assert not p.has_score("PodTopologySpread")
    assert "PodTopologySpread" in p.filters and "PodTopologySpread" in p.pre_scores
    assert [n for n, _ in p.scores] == [n for n, _ in DEFAULT_SCORES if n != "PodTopologySpread"]
    assert base == default_profile()  # not mutated


def test_rtcr_override_needs_a_shape():
    with pytest.raises(ConfigError) as info:
        apply_overrides(default_profile(), {"scoringStrategy": "RequestedToCapacityRatio"})
    assert info.value.path == "scoringStrategy" and "needs a shape" in info.value.message
    p = apply_overrides(
        default_profile(),
        {
            "scoringStrategy.shape": [[0, 0], [100, 10]],
            "scoringStrategy": "RequestedToCapacityRatio",
            "scoringStrategy.resources": {"cpu": 3, "memory": 1},
        },
    )
    strategy = p.args.node_resources_fit.scoring_strategy
    assert strategy.type == "RequestedToCapacityRatio"
    assert strategy.shape == (UtilizationShapePoint(0, 0), UtilizationShapePoint(100, 10))
    assert strategy.resources == (ResourceSpec("cpu", 3), ResourceSpec("memory", 1))
    back = apply_overrides(p, {"scoringStrategy": "LeastAllocated"})
    assert back.args.node_resources_fit.scoring_strategy.shape == ()


@pytest.mark.parametrize(
    ("overrides", "path", "text"),
    [
        ({"weights.NodeResourcesFit": 101}, "weights.NodeResourcesFit", "got 101"),
        ({"weights.NodeResourcesFit": -2}, "weights.NodeResourcesFit", "got -2"),
        ({"weights.NodePorts": 2}, "weights.NodePorts", "not a score plugin"),
        ({"percentageOfNodesToScore": 150}, "percentageOfNodesToScore", "got 150"),
        ({"scoringStrategy": "Bogus"}, "scoringStrategy", "unsupported scoring strategy"),
        ({"scoringStrategy.shape": [[0, 0], [0, 5]], "scoringStrategy": "RequestedToCapacityRatio"}, "scoringStrategy.shape[1].utilization", "increasing"),
        ({"scoringStrategy.shape": [[0, 0]]}, "scoringStrategy.shape", "only used by RequestedToCapacityRatio"),
        ({"scoringStrategy.resources": [{"name": "cpu", "weight": 500}]}, "scoringStrategy.resources[0].weight", "got 500"),
        ({"args.InterPodAffinity": {"hardPodAffinityWeight": 200}}, "args.InterPodAffinity.hardPodAffinityWeight", "got 200"),
        ({"parallelism": 4}, "parallelism", "unknown override"),
    ],
)
def test_override_errors_name_the_key(overrides, path, text):
    with pytest.raises(ConfigError) as info:
        apply_overrides(default_profile(), overrides)
    assert info.value.path == path
    assert text in info.value.message


def test_weight_override_of_a_disabled_score_plugin():
    p = apply_overrides(default_profile(), {"weights.ImageLocality": 0})
    with pytest.raises(ConfigError) as info:
        apply_overrides(p, {"weights.ImageLocality": 2})
    assert "does not score in this profile" in info.value.message
    assert apply_overrides(p, {"weights.ImageLocality": 0}) == p


def test_args_override():
    p = apply_overrides(default_profile(), {"args.DefaultPreemption": {"minCandidateNodesAbsolute": 5}})
    assert p.args.default_preemption.min_candidate_nodes_absolute == 5
    assert p.args.default_preemption.min_candidate_nodes_percentage == 10
