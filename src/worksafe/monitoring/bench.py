"""`worksafe bench ingest` and `worksafe bench mqtt-burst` (registered in ``core.registry.BENCHES``): ingestion speed through the real service path against the raw bulk
write of the same rows, on the database DATABASE_URL names (SQLite by default).

It builds a throw-away database next to the configured one (Django's test-database machinery:
``test_<name>`` on the same PostgreSQL server; a file under var/ for SQLite, never in memory), loads
``--sensors`` sensors with four-level thresholds on one gateway, then:

1. service: ``--batches`` batches of ``--batch-size`` readings through ``ingest.ingest`` —
   validation, duplicate check, storage, threshold evaluation, alarm changes — each batch its own
   transaction; ``--excursion-rate`` of the readings (default 1 in 10,000) cross the red limit, so
   alarms are raised and cleared on the way (each excursion: one alarm raised, one cleared);
2. raw: the same rows, after deleting them again, written by the database's own bulk path
   (``executemany`` on SQLite, binary ``COPY`` on PostgreSQL), one transaction per batch;

``--rounds`` (3) rounds of both, later rounds on a larger table (each adds its rows); the figures
are the medians. (SQLite slows as the table grows: a batch for many sensors dirties an index page
per sensor; PostgreSQL much less.) Then MQTT end to end (unless ``--no-mqtt`` or no broker
answers): ``--mqtt-rate`` readings/s for ``--mqtt-seconds`` s through ``--mqtt-consumers``
``worksafe ingest-mqtt`` processes in one share group, ``--mqtt-excursion-rate`` of the readings
over the red limit (0.05: an alarm storm) — publish → answered, publish → alarm row, and the drain
after the last publish, on their own lines (:mod:`worksafe.monitoring.bench_mqtt`).

The last line is exactly::

    ingest <sqlite|postgresql>: service=<readings/s> raw=<readings/s> ratio=<service/raw> peak_rss_mb=<MB>
"""

from __future__ import annotations

import random
import statistics
import time

from django.core.management.base import CommandError
from django.db import connection, transaction

from worksafe.core.bench import peak_rss_mb, throwaway_database
from worksafe.core.bench import vendor as db_vendor
from worksafe.core.registry import bench


def add_ingest_arguments(parser):
    """The flags of both monitoring benches (mqtt-burst reads a few of them)."""
    parser.add_argument("--readings", type=int, default=100_000, help="mqtt-burst:每轮突发的读数条数")
    parser.add_argument("--per-message", type=int, default=1, help="mqtt-burst:每条消息的读数条数")
    parser.add_argument("--url", help="MQTT 服务器地址(默认 WORKSAFE_MQTT_URL)")
    parser.add_argument("--sensors", type=int, default=1000, help="监测点数(mqtt-burst 最多 100)")
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="轮数(取中位数)")
    parser.add_argument("--excursion-rate", type=float, default=0.0001,
                        help="越限读数的比例(默认万分之一:每次越限产生一次报警和一次解除)")
    parser.add_argument("--no-mqtt", action="store_true", help="不测 MQTT 端到端延迟")
    parser.add_argument("--mqtt-rate", type=int, default=1000, help="MQTT 测试的读数速率(条/秒)")
    parser.add_argument("--mqtt-seconds", type=int, default=10)
    parser.add_argument("--mqtt-consumers", type=int, default=1,
                        help="MQTT 测试的消费者进程数(worksafe ingest-mqtt,同一共享订阅组)")
    parser.add_argument("--mqtt-excursion-rate", type=float, default=0.0001,
                        help="MQTT 测试中越限读数的比例(默认万分之一;0.05 即报警风暴)")
    parser.add_argument("--mqtt-gateways", type=int, default=1,
                        help="MQTT 测试的网关数(读数由各网关分担,每 50 毫秒每个网关一条消息;默认 1:最难的情形)")
    parser.add_argument("--keep-db", action="store_true", help="保留基准数据库(调试用)")


@bench("ingest", "读数接入速度、原始批量写入速度、MQTT 端到端延迟", add_ingest_arguments)
def run_ingest(command, **options):
    _Bench(command.stdout).handle("ingest", **options)


@bench("mqtt-burst", "QoS 1 突发:消费者在线与离线重启时,每条读数恰好存储一次", add_ingest_arguments)
def run_burst(command, **options):
    _Bench(command.stdout).handle("mqtt-burst", **options)


class _Bench:
    def __init__(self, stdout):
        self.stdout = stdout

    def handle(self, what, *, sensors, batches, batch_size, rounds, excursion_rate, no_mqtt, mqtt_rate, mqtt_seconds,
               keep_db, readings=100_000, per_message=1, url=None, mqtt_consumers=1, mqtt_excursion_rate=0.0001,
               mqtt_gateways=1, **options):
        if min(sensors, batches, batch_size, rounds, mqtt_consumers, mqtt_gateways) < 1:
            raise CommandError("--sensors、--batches、--batch-size、--rounds、--mqtt-consumers、--mqtt-gateways 须为正整数。")
        if mqtt_gateways > 200:
            raise CommandError("--mqtt-gateways 最多 200(MQTT 测试共 200 个监测点,每个网关至少一个)。")
        if not 0 <= mqtt_excursion_rate <= 0.5:
            raise CommandError("--mqtt-excursion-rate 应在 0 到 0.5 之间。")
        self.mqtt = {"url": url, "consumers": mqtt_consumers, "excursion_rate": mqtt_excursion_rate,
                     "gateways": mqtt_gateways}
        vendor = db_vendor()
        with throwaway_database("bench", keep=keep_db):
            if what == "mqtt-burst":
                self._burst(vendor, min(sensors, 100), readings, per_message, url)
            else:
                self._run(vendor, sensors, batches, batch_size, rounds, excursion_rate, no_mqtt, mqtt_rate, mqtt_seconds)

    # --- set-up ---------------------------------------------------------------------------------

    def _world(self, n_sensors: int):
        from worksafe.enterprises.models import Enterprise, Facility
        from worksafe.monitoring import services
        from worksafe.monitoring.models import Sensor, SensorState
        from worksafe.org.models import Division

        town = Division.objects.create(code="999999001", name="基准镇", level=Division.Level.TOWNSHIP)
        ent = Enterprise.objects.create(name="基准企业", credit_code="91999999MA00000001", township=town)
        tank = Facility.objects.create(enterprise=ent, kind="tank", name="基准储罐")
        token = "bench-token"
        gw = services.Gateway.objects.create(enterprise=ent, code="bench", name="基准网关",
                                             token_hash=services.hash_token(token))
        rows = [Sensor(facility=tank, enterprise=ent, gateway=gw, code=f"B{i:06d}", name=f"测点{i}",
                       quantity="tank_level", unit="m", interval_s=60, direction="RISING",
                       blue=50, yellow=60, orange=70, red=80) for i in range(n_sensors)]
        Sensor.objects.bulk_create(rows, batch_size=2000)
        ids = list(Sensor.objects.filter(gateway=gw).order_by("id").values_list("id", flat=True))
        SensorState.objects.bulk_create([SensorState(sensor_id=i) for i in ids], batch_size=2000)
        codes = [f"B{i:06d}" for i in range(n_sensors)]
        return gw, token, codes, ids

    def _gateways(self, gw, n_gw: int, n_sensors: int):
        """``n_gw`` more gateways of the bench enterprise sharing ``n_sensors`` sensors (codes unique
        across them): the MQTT phase's province-like stream."""
        from worksafe.monitoring import services
        from worksafe.monitoring.models import Sensor, SensorState

        tank = gw.enterprise.facilities.first()
        streams = []
        for g in range(n_gw):
            token = f"bench-token-{g}"
            other = services.Gateway.objects.create(enterprise=gw.enterprise, code=f"bench{g:03d}",
                                                    name=f"基准网关{g}", token_hash=services.hash_token(token))
            codes = [f"G{g:03d}S{i:04d}" for i in range(g, n_sensors, n_gw)]
            Sensor.objects.bulk_create([
                Sensor(facility=tank, enterprise=gw.enterprise, gateway=other, code=c, name=f"测点{c}",
                       quantity="tank_level", unit="m", interval_s=60, direction="RISING",
                       blue=50, yellow=60, orange=70, red=80) for c in codes])
            SensorState.objects.bulk_create([SensorState(sensor_id=i) for i in
                                             Sensor.objects.filter(gateway=other).values_list("id", flat=True)])
            streams.append((other, token, codes))
        return streams

    # --- the run --------------------------------------------------------------------------------

    def _run(self, vendor, n_sensors, n_batches, batch_size, rounds, excursion_rate, no_mqtt, mqtt_rate, mqtt_seconds):
        from worksafe.monitoring import ingest
        from worksafe.monitoring.models import Alarm, Reading

        out = self.stdout
        gw, token, codes, ids = self._world(n_sensors)
        code_id = dict(zip(codes, ids, strict=True))
        rng = random.Random(2022)
        start = time.time() - 3 * 86400  # one second a batch: all inside the accepted window
        total = n_batches * batch_size
        out.write(f"bench ingest on {vendor}: {n_sensors} sensors, {n_batches} batches x {batch_size} readings")

        def make_batch(b):
            batch = []
            base = start + b  # one reading per sensor per batch; batches step one second
            for k in range(batch_size):
                j = (b * batch_size + k) % n_sensors
                t = base + (k // n_sensors) * 0.001
                v = 90.0 if rng.random() < excursion_rate else 10.0 + rng.random() * 30
                batch.append({"sensor": codes[j], "time": round(t, 3), "value": round(v, 2)})
            return batch

        ingest.clear_cache()
        warm = ingest.ingest(gw, [{"sensor": codes[0], "time": start - 10, "value": 1.0}])
        assert warm.accepted == 1
        service_rates, raw_rates = [], []
        for rnd in range(rounds):
            # service path, then the same rows again by the raw path in their place
            batches = [make_batch(rnd * n_batches + b) for b in range(n_batches)]
            alarms_before = Alarm.objects.count()
            accepted = rejected = 0
            t0 = time.perf_counter()
            for batch in batches:
                r = ingest.ingest(gw, batch)
                accepted += r.accepted
                rejected += len(r.rejected)
            service_s = time.perf_counter() - t0
            if rejected or accepted != total:
                raise CommandError(f"基准数据被拒绝:接受 {accepted},拒绝 {rejected}(应全部接受 {total})")
            service_rates.append(total / service_s)
            rows = [[(code_id[r["sensor"]], int(round(r["time"] * 1000)), float(r["value"])) for r in batch]
                    for batch in batches]
            lo, hi = rows[0][0][1], max(r[1] for batch in rows for r in batch)
            with transaction.atomic():
                Reading.objects.filter(ts__gte=lo, ts__lte=hi).delete()
            before = Reading.objects.count()
            raw_s = self._raw(vendor, rows)
            raw_rates.append(total / raw_s)
            if Reading.objects.count() != before + total:
                raise CommandError("原始写入行数不符。")
            out.write(f"  round {rnd + 1}: service {total} readings in {service_s:.2f} s = {service_rates[-1]:,.0f}/s "
                      f"({Alarm.objects.count() - alarms_before} alarms raised); raw "
                      f"({'COPY' if vendor == 'postgresql' else 'executemany'}) {raw_s:.2f} s = {raw_rates[-1]:,.0f}/s")
        service_rate = statistics.median(service_rates)
        raw_rate = statistics.median(raw_rates)
        out.write(f"  median of {rounds} rounds: service {service_rate:,.0f} readings/s, raw {raw_rate:,.0f} rows/s")

        if not no_mqtt:
            self._mqtt(gw, token, codes, mqtt_rate, mqtt_seconds)
        ratio = service_rate / raw_rate
        out.write(f"ingest {vendor}: service={service_rate:.0f} raw={raw_rate:.0f} ratio={ratio:.2f} "
                  f"peak_rss_mb={peak_rss_mb():.0f}")

    def _raw(self, vendor, rows) -> float:
        from worksafe.monitoring import storage

        if vendor == "postgresql":
            lo = min(r[1] for batch in rows for r in batch)
            hi = max(r[1] for batch in rows for r in batch)
            with transaction.atomic():
                storage.ensure_partitions(lo, hi)  # created outside the timing, like the service's
        connection.ensure_connection()
        t0 = time.perf_counter()
        for batch in rows:
            with transaction.atomic():
                if vendor == "postgresql":
                    with connection.cursor() as cur, cur.cursor.copy(
                            "COPY monitoring_reading (sensor_id, ts, value) FROM STDIN (FORMAT BINARY)") as copy:
                        copy.set_types(["int8", "int8", "float8"])
                        for row in batch:
                            copy.write_row(row)
                else:
                    raw = connection.connection.cursor()
                    raw.executemany("INSERT INTO monitoring_reading (sensor_id, ts, value) VALUES (?, ?, ?)", batch)
                    raw.close()
        return time.perf_counter() - t0

    def _burst(self, vendor, n_sensors, readings, per_message, url):
        from worksafe.monitoring import bench_mqtt, mqtt

        if readings < 1 or per_message < 1:
            raise CommandError("--readings、--per-message 须为正整数。")
        gw, token, codes, _ids = self._world(n_sensors)
        out = self.stdout
        out.write(f"bench mqtt-burst on {vendor} via {mqtt.parse_url(url)}: {readings:,} readings, "
                  f"{per_message} a message, {n_sensors} sensors, QoS 1")
        try:
            res = bench_mqtt.burst(gw, token, codes, readings=readings, per_message=per_message, url=url,
                                   say=lambda line: (out.write(line), out.flush()))
        except OSError as e:
            raise CommandError(f"MQTT 服务器不可用:{e}") from None
        on, off = res["online"], res["offline"]
        out.write(f"  online:  published {on['messages']:,} messages in {on['publish_s']:.1f} s; "
                  f"stored {on['stored']:,} of {on['sent']:,} readings in {on['total_s']:.1f} s "
                  f"({on['stored'] / on['total_s']:,.0f}/s); redelivered {on['redelivered']}")
        out.write(f"  offline: published {off['messages']:,} messages in {off['publish_s']:.1f} s while the consumer "
                  f"was away; after its restart (session kept: {off['session_present']}) stored {off['stored']:,} "
                  f"of {off['sent']:,} in {off['drain_s']:.1f} s ({off['stored'] / max(off['drain_s'], 1e-9):,.0f}/s); "
                  f"redelivered {off['redelivered']}")
        ok = on["stored"] == on["sent"] and off["stored"] == off["sent"]
        out.write(f"mqtt-burst {vendor}: online={on['stored']}/{on['sent']} offline={off['stored']}/{off['sent']} "
                  f"{'ok' if ok else 'LOST'} peak_rss_mb={peak_rss_mb():.0f}")
        if not ok:
            raise CommandError("有读数丢失(见上)。")

    def _mqtt(self, gw, token, codes, rate, seconds):
        try:
            from worksafe.monitoring import bench_mqtt
        except ImportError as e:  # pragma: no cover - paho missing
            self.stdout.write(f"  mqtt: skipped ({e})")
            return
        n, exc, n_gw = self.mqtt["consumers"], self.mqtt["excursion_rate"], self.mqtt["gateways"]
        out = self.stdout
        out.write(f"  mqtt: {rate} readings/s for {seconds} s, {n} consumer process{'es' if n > 1 else ''} in one "
                  f"share group, excursion rate {exc:g}, {n_gw} gateway{'s' if n_gw > 1 else ''}")
        codes = codes[: min(len(codes), 200)]
        streams = [(gw, token, codes)] if n_gw == 1 else self._gateways(gw, n_gw, len(codes))
        try:
            res = bench_mqtt.measure_latency(streams, rate=rate, seconds=seconds, url=self.mqtt["url"], consumers=n,
                                             excursion_rate=exc)
        except OSError as e:
            out.write(f"  mqtt: skipped, broker not reachable ({e})")
            return
        lost = res["sent"] - res["stored"]
        out.write(f"  mqtt stored: sent={res['sent']} stored={res['stored']} lost={lost} "
                  f"messages={res['messages']} answered={res['answered']} published in {res['publish_s']:.1f} s")
        out.write(f"  mqtt reply (publish -> committed and answered, every message): p50={res['reply_p50_ms']:.0f} ms "
                  f"p99={res['reply_p99_ms']:.0f} ms max={res['reply_max_ms']:.0f} ms")
        out.write(f"  mqtt alarm (publish -> alarm raised): excursions={res['excursions']} alarms={res['alarms']} "
                  f"p50={res['p50_ms']:.0f} ms p99={res['p99_ms']:.0f} ms max={res['max_ms']:.0f} ms")
        out.write(f"  mqtt drain (last publish -> last reply): {res['drain_s']:.1f} s")
        for k, line in enumerate(res["consumer_lines"]):
            out.write(f"  mqtt consumer {k + 1}: {line}")
