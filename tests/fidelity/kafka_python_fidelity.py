"""Drives the kplan simulator with kafka-python (a client kplan did not write) and checks that it
behaves as Kafka does for the admin APIs kplan uses.

Usage: kafka_python_fidelity.py BOOTSTRAP
The cluster must be the one tests/sim_fidelity.rs starts: brokers 1-4 (racks a, b, a, b), topic
"orders" with 4 partitions of RF 2 placed explicitly, 1 MB each, 10 kB/s of traffic, and the
simulated clock running fast enough that a 1 MB copy finishes within a second.
"""
import sys
import time

from kafka import TopicPartition
from kafka.admin import KafkaAdminClient, ConfigResource, ConfigResourceType
import kafka.errors as Errors

bootstrap = sys.argv[1]
admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000, client_id="fidelity")
checks = 0


def check(cond, what):
    global checks
    if not cond:
        print(f"FIDELITY FAILURE: {what}", file=sys.stderr)
        sys.exit(1)
    checks += 1


def wait_for(pred, what, timeout=20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.1)
    check(False, f"timed out waiting for {what}")


# DescribeCluster: brokers with racks, controller, cluster id.
cluster = admin.describe_cluster()
check(cluster["cluster_id"] == "fidelity-cluster", f"cluster id {cluster['cluster_id']}")
racks = {b["broker_id"]: b["rack"] for b in cluster["brokers"]}
check(racks == {1: "rack-a", 2: "rack-b", 3: "rack-a", 4: "rack-b"}, f"racks {racks}")
check(cluster["controller_id"] in racks, "controller is a broker")

# Metadata: replicas, leader, ISR as configured.
def partitions():
    [topic] = admin.describe_topics(["orders"])
    return {p["partition_index"]: {"replicas": p["replica_nodes"], "leader": p["leader_id"],
                                   "isr": p["isr_nodes"]} for p in topic["partitions"]}


parts = partitions()
check(sorted(parts) == [0, 1, 2, 3], f"partitions {sorted(parts)}")
check(parts[0]["replicas"] == [1, 2] and parts[0]["leader"] == 1, f"orders-0 {parts[0]}")
check(sorted(parts[0]["isr"]) == [1, 2], f"orders-0 isr {parts[0]['isr']}")

# DescribeConfigs: a broker resource at that broker; defaults and static values.
configs = admin.describe_configs(
    [ConfigResource(ConfigResourceType.BROKER, "2")], config_filter="all")
broker2 = configs["broker"]["2"]
check(broker2["broker.rack"]["value"] == "rack-b", f"broker.rack {broker2.get('broker.rack')}")
check("leader.replication.throttled.rate" not in broker2,
      "a throttle rate that is not set is not listed (Kafka 4.1: a dynamic-only quota config)")
check(broker2["sasl.jaas.config"]["value"] is None, "sensitive values are never returned")

# IncrementalAlterConfigs: set a broker throttle and a topic throttled-replicas list, then read
# them back with their sources; an invalid value is refused.
# raise_on_unknown=False: like Kafka 4.1, DescribeConfigs lists an unset rate nowhere, so
# kafka-python cannot check the name against it.
admin.alter_configs([ConfigResource(ConfigResourceType.BROKER, "2",
                                    {"follower.replication.throttled.rate": "1048576"})],
                    raise_on_unknown=False)
admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, "orders",
                                    {"follower.replication.throttled.replicas": "0:3"})])
configs = admin.describe_configs([ConfigResource(ConfigResourceType.BROKER, "2")], config_filter="all")
check(configs["broker"]["2"]["follower.replication.throttled.rate"]["value"] == "1048576",
      "broker throttle readable after IncrementalAlterConfigs")
topic_cfg = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "orders")], config_filter="all")
check(topic_cfg["topic"]["orders"]["follower.replication.throttled.replicas"]["value"] == "0:3",
      "topic throttled replicas readable")
result = admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, "orders",
                                             {"leader.replication.throttled.replicas": "zero:one"})])
outcome = result["topic"]["orders"]
check("[Error 40] InvalidConfigurationError" in str(outcome),
      f"invalid throttled-replicas list refused with InvalidConfig, got {outcome!r}")
# Clean up the throttle so the reassignment below runs at line rate.
admin.alter_configs([ConfigResource(ConfigResourceType.BROKER, "2",
                                    {"follower.replication.throttled.rate": ("DELETE", None)})],
                    raise_on_unknown=False)

# DescribeLogDirs: every replica on its broker, sized.
dirs = admin.describe_log_dirs()
on_broker = {}
for entry in dirs:
    for d in entry["log_dirs"]:
        for t in d["topics"]:
            for p in t["partitions"]:
                on_broker.setdefault(entry["broker"], []).append((t["name"], p["partition_index"], p["partition_size"]))
check(sorted(on_broker) == [1, 2, 3, 4], f"log dirs from every broker: {sorted(on_broker)}")
sizes = [s for b in on_broker.values() for (_, _, s) in b]
check(len(sizes) == 8 and all(s >= 1_000_000 for s in sizes), f"8 replicas of >= 1 MB: {sizes}")

# ListOffsets: earliest 0, latest grows with the produce rate.
tp = TopicPartition("orders", 1)
off1 = admin.list_partition_offsets({tp: -1})[tp].offset
earliest = admin.list_partition_offsets({tp: -2})[tp].offset
check(earliest == 0, f"earliest offset {earliest}")
check(off1 > 0, f"latest offset {off1}")
time.sleep(0.3)
off2 = admin.list_partition_offsets({tp: -1})[tp].offset
check(off2 > off1, f"end offset advances with traffic ({off1} -> {off2})")

# AlterPartitionReassignments with a slow follower throttle so the move is observable:
# orders-0 [1,2] -> [3,2], throttled into broker 3.
admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, "orders",
                                    {"follower.replication.throttled.replicas": "0:3"})])
admin.alter_configs([ConfigResource(ConfigResourceType.BROKER, "3",
                                    {"follower.replication.throttled.rate": "1000"})],
                    raise_on_unknown=False)
result = admin.alter_partition_reassignments({TopicPartition("orders", 0): [3, 2]})
check(result[TopicPartition("orders", 0)] is None, f"reassignment accepted: {result}")
ongoing = admin.list_partition_reassignments()
r = ongoing.get(TopicPartition("orders", 0))
check(r is not None, f"reassignment listed: {ongoing}")
check(r["replicas"] == [3, 2, 1], f"union replica set target-first: {r['replicas']}")
check(r["adding_replicas"] == [3] and r["removing_replicas"] == [1], f"adding/removing {r}")
meta = partitions()
check(meta[0]["replicas"] == [3, 2, 1], f"metadata shows the union during the move: {meta[0]}")

# Errors per partition, as Kafka returns them.
bad = admin.alter_partition_reassignments({
    TopicPartition("orders", 9): [1, 2],
    TopicPartition("orders", 1): [1, 1],
    TopicPartition("orders", 2): [1, 7],
})
check(bad[TopicPartition("orders", 9)] is Errors.UnknownTopicOrPartitionError, f"unknown partition: {bad}")
check(bad[TopicPartition("orders", 1)] is Errors.InvalidReplicationAssignmentError, f"duplicate broker: {bad}")
check(bad[TopicPartition("orders", 2)] is Errors.InvalidReplicationAssignmentError, f"unknown broker: {bad}")
cancel_none = admin.alter_partition_reassignments({TopicPartition("orders", 3): None})
check(cancel_none[TopicPartition("orders", 3)] is Errors.NoReassignmentInProgressError,
      f"cancel with nothing running: {cancel_none}")

# Lift the throttle: the copy finishes, the reassignment disappears, Metadata shows the target,
# and the old leader 1 left so the first target replica in the ISR leads.
admin.alter_configs([ConfigResource(ConfigResourceType.BROKER, "3",
                                    {"follower.replication.throttled.rate": ("DELETE", None)})],
                    raise_on_unknown=False)
wait_for(lambda: TopicPartition("orders", 0) not in admin.list_partition_reassignments(),
         "reassignment to complete")
meta = partitions()
check(meta[0]["replicas"] == [3, 2], f"target after completion: {meta[0]}")
check(meta[0]["leader"] == 3, f"leader moved to the first target replica: {meta[0]}")

# A reorder completes at once; the preferred leader takes over only by election.
admin.alter_partition_reassignments({TopicPartition("orders", 1): [3, 2]})  # orders-1 is [2,3]
meta = partitions()
check(meta[1]["replicas"] == [3, 2] and meta[1]["leader"] == 2, f"reorder keeps the leader: {meta[1]}")
resp = admin.elect_leaders(0, {"orders": [1]})
codes = {(t[0], p[0]): p[1] for t in resp.replica_election_results for p in t[1]}
check(codes.get(("orders", 1)) == 0, f"preferred election succeeds: {codes}")
meta = partitions()
check(meta[1]["leader"] == 3, f"preferred replica leads after election: {meta[1]}")
resp = admin.elect_leaders(0, {"orders": [1]}, raise_errors=False)
codes = {(t[0], p[0]): p[1] for t in resp.replica_election_results for p in t[1]}
check(codes.get(("orders", 1)) == 84, f"ELECTION_NOT_NEEDED the second time: {codes}")

admin.close()
print(f"kafka-python fidelity: {checks} checks passed")
