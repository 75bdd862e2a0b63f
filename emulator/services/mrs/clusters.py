"""MRS clusters, the minimum the job APIs refer to: loaded from fixtures, read by id, checked before a job runs."""
from __future__ import annotations

from typing import Any

from emulator.services.protocol import Core
from emulator.services.mrs import errors

KIND = "mrs_clusters"
STATES = ("starting", "running", "terminated", "failed", "abnormal", "terminating", "frozen",
          "scaling-out", "scaling-in")
DEFAULT_COMPONENTS = ("Hadoop", "Spark2x", "Hive", "Flink", "Tez")
# Which component a job type needs: Spark types a component named Spark*, Hive types Hive*, Flink Flink*.
ENGINE_OF = {"SparkSubmit": "Spark", "SparkPython": "Spark", "SparkScript": "Spark", "SparkSql": "Spark",
             "HiveScript": "Hive", "HiveSql": "Hive", "Flink": "Flink"}
Cluster = dict[str, Any]


def render(cluster: Cluster) -> dict[str, Any]:
    """The `cluster` of GET cluster_infos: the stored record without its own bookkeeping."""
    return {key: value for key, value in cluster.items() if key != "applications"}


class ClusterRegistry:
    """Clusters per project, stored in the `cluster_infos` shape (camel-case keys, counts and times as strings)."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self.collection = core.store.collection(KIND)

    def add(self, project: str, spec: dict[str, Any]) -> Cluster:
        """A cluster from a fixture: `id` and `name` required; `state`, `version`, `components`, node counts optional."""
        unknown = sorted(set(spec) - {"id", "name", "state", "version", "components", "master_node_num",
                                      "core_node_num", "safe_mode", "created_at"})
        if unknown:
            raise ValueError(f"unknown cluster keys {unknown}")
        cluster_id, name = spec.get("id"), spec.get("name")
        if not isinstance(cluster_id, str) or not cluster_id or not isinstance(name, str) or not name:
            raise ValueError("a cluster needs a non-empty id and name")
        if self.collection.get(project, cluster_id) is not None:
            raise ValueError(f"cluster {cluster_id} already exists in project {project}")
        state = spec.get("state", "running")
        if state not in STATES:
            raise ValueError(f"cluster state must be one of {', '.join(STATES)}, not {state!r}")
        components = spec.get("components", list(DEFAULT_COMPONENTS))
        if not isinstance(components, list) or not all(isinstance(item, str) and item for item in components):
            raise ValueError("components must be a list of component names")
        masters, cores = spec.get("master_node_num", 2), spec.get("core_node_num", 3)
        if not all(isinstance(count, int) and count >= 0 for count in (masters, cores)):
            raise ValueError("master_node_num and core_node_num must be counts")
        created = spec.get("created_at", int(self._core.clock.now().timestamp()))
        if not isinstance(created, int) or created < 0:
            raise ValueError("created_at must be epoch seconds")
        version = spec.get("version", "MRS 3.1.0")
        cluster: Cluster = {
            "clusterId": cluster_id,
            "clusterName": name,
            "clusterState": state,
            "clusterVersion": version,
            "componentList": [{"componentId": f"{version.replace(' ', '_')}_{number:03d}", "componentName": item,
                               "componentVersion": "", "componentDesc": ""}
                              for number, item in enumerate(components, 1)],
            "tenantId": project,
            "createAt": str(created),
            "updateAt": str(created),
            "masterNodeNum": str(masters),
            "coreNodeNum": str(cores),
            "totalNodeNum": str(masters + cores),
            "safeMode": spec.get("safe_mode", 0),
            "stageDesc": None,
            "applications": 0,  # YARN applications started so far (not on the wire): numbers the next app id
        }
        self.collection.put(project, cluster_id, cluster)
        return cluster

    def next_application(self, project: str, cluster_id: str) -> int:
        """Count one more job on the cluster; its number (1, 2, ...) makes its YARN application ids."""
        cluster = self.get(project, cluster_id)
        number = cluster["applications"] + 1
        self.collection.put(project, cluster_id, {**cluster, "applications": number})
        return number

    def get(self, project: str, cluster_id: str) -> Cluster:
        """The cluster, or MRS v2's 400 `12000003` (with its camel-case keys)."""
        found = self.collection.get(project, cluster_id)
        if found is None:
            raise errors.cluster_missing()
        return found

    def check_state(self, project: str, cluster_id: str) -> Cluster:
        """The cluster must exist and be running (checked before the body, as MRS does)."""
        cluster = self.get(project, cluster_id)
        if cluster["clusterState"] != "running":
            raise errors.cluster_not_running(cluster["clusterState"])
        return cluster

    @staticmethod
    def has_engine(cluster: Cluster, engine: str | None) -> bool:
        """Whether the cluster has a component named `engine`* (Spark, Hive, Flink); None needs none."""
        return engine is None or any(item["componentName"].startswith(engine) for item in cluster["componentList"])

    def check_engine(self, cluster: Cluster, job_type: str) -> None:
        """The cluster must have the component a v2 job of `job_type` runs on (v2's 0057, 0168, 0169)."""
        engine = ENGINE_OF.get(job_type)
        if not self.has_engine(cluster, engine):
            raise errors.component_missing(engine)  # type: ignore[arg-type]
