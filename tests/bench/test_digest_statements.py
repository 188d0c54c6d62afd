"""The digest's cost in SQL statements does not grow with the number of KPIs (the N+1 guard)."""

from pathlib import Path

from bench.digest import build_once, counting_statements, digest_builder, seeded_database


def _statements_for(tmp_path: Path, kpis: int) -> list[str]:
    build = digest_builder()
    assert build is not None
    engine, area = seeded_database(tmp_path, kpis)
    try:
        build_once(engine, area, build)  # the first build may warm caches; count the second
        with counting_statements(engine) as statements:
            digest = build_once(engine, area, build)
    finally:
        engine.dispose()
    assert len(digest.kpis) == kpis
    return statements


def test_a_digest_of_1000_kpis_costs_the_same_statements_as_one_of_10(tmp_path: Path) -> None:
    """Building the digest for 1,000 KPIs runs exactly as many SQL statements as for 10."""
    few = _statements_for(tmp_path, 10)
    many = _statements_for(tmp_path, 1000)
    assert len(many) == len(few), "\n".join(many)
