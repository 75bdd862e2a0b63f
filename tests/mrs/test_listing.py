"""Lists of jobs and binaries: sort_by, limit, marker, the markers object and filters, as Sahara pages them."""
from __future__ import annotations

import pytest
from mrs_support import EMPTY_PROJECT


@pytest.fixture
async def five(mrs):
    """Five jobs in an empty project, created a minute apart: names and types chosen to sort differently."""
    project = mrs.in_project(EMPTY_PROJECT)
    jobs = []
    for name, job_type in (("delta", "DistCp"), ("alpha", "Spark"), ("echo", "DistCp"),
                           ("charlie", "MapReduce"), ("bravo", "DistCp")):
        jobs.append(await project.new_job(name, job_type))
        await mrs.advance(60)
    return project, {job["name"]: job["id"] for job in jobs}


async def names(project, query=""):
    reply = await project.get(f"jobs{query}")
    assert reply.status == 200, reply.body
    return [job["name"] for job in reply.body["jobs"]], reply.body.get("markers", "absent")


async def test_default_order_is_by_id(five):
    project, ids = five
    listed, markers = await names(project)
    assert listed == sorted(ids, key=ids.get)
    assert markers == "absent"


@pytest.mark.parametrize("sort_by, expected", [
    ("name", ["alpha", "bravo", "charlie", "delta", "echo"]),
    ("-name", ["echo", "delta", "charlie", "bravo", "alpha"]),
    ("created_at", ["delta", "alpha", "echo", "charlie", "bravo"]),
    ("-created_at", ["bravo", "charlie", "echo", "alpha", "delta"]),
])
async def test_sort_by_a_field_or_its_reverse(five, sort_by, expected):
    project, _ = five
    assert (await names(project, f"?sort_by={sort_by}"))[0] == expected


async def test_sort_by_type_breaks_ties_by_id(five):
    project, ids = five
    listed, _ = await names(project, "?sort_by=type")
    distcp = sorted(["delta", "echo", "bravo"], key=ids.get)
    assert listed == distcp + ["charlie", "alpha"]


async def test_sort_by_updated_at_follows_the_last_patch(five, mrs):
    project, ids = five
    await project.patch(f"jobs/{ids['alpha']}", {})
    listed, _ = await names(project, "?sort_by=-updated_at")
    assert listed[0] == "alpha"


PAGES = [  # (query, names listed, (prev, next) as names, or None when "markers" is left out)
    ("sort_by=name&limit=2", ["alpha", "bravo"], (None, "bravo")),  # first page: next is its last id
    ("sort_by=name&limit=2&marker={bravo}", ["charlie", "delta"], (None, "delta")),
    ("sort_by=name&limit=3&marker={charlie}", ["delta", "echo"], (None, None)),
    ("sort_by=name&limit=1&marker={charlie}", ["delta"], ("bravo", "delta")),
    # Sahara's quirk: a full last page reached by marker still names a next
    ("sort_by=name&limit=2&marker={alpha}", ["bravo", "charlie"], (None, "charlie")),
    ("sort_by=name&limit=1&marker={delta}", ["echo"], ("charlie", "echo")),
    ("sort_by=name&limit=2&marker={charlie}", ["delta", "echo"], ("alpha", "echo")),
    ("sort_by=-name&limit=2&marker={delta}", ["charlie", "bravo"], (None, "bravo")),
    # a marker shows markers even when both are null
    ("sort_by=name&marker={charlie}", ["delta", "echo"], (None, None)),
    # a marker the filter excludes: the page continues from where it would sort
    ("sort_by=name&type=DistCp&marker={charlie}&limit=5", ["delta", "echo"], (None, None)),
    ("type=DistCp&sort_by=name&limit=1", ["bravo"], (None, "bravo")),
    ("sort_by=name&limit=5", ["alpha", "bravo", "charlie", "delta", "echo"], None),
]


@pytest.mark.parametrize("query, expected, markers", PAGES)
async def test_pages_and_their_markers(five, query, expected, markers):
    project, ids = five
    listed, shown = await names(project, "?" + query.format(**ids))
    assert listed == expected
    if markers is None:
        assert shown == "absent"
    else:
        assert shown == {"prev": ids.get(markers[0]), "next": ids.get(markers[1])}


async def test_a_marker_that_names_nothing_is_404(five):
    project, _ = five
    reply = await project.get("jobs?marker=nope&limit=0")
    assert reply.status == 404
    assert reply.error() == ("NOT_FOUND", "Object with {'id': 'nope'} not found")


async def test_a_marker_from_another_project_is_404(five, mrs):
    project, _ = five
    reply = await project.get("jobs?marker=b8ea4daa-0042-45e0-a522-e8b714e74760")
    assert reply.status == 404


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "", "1.5"])
async def test_limit_must_be_a_positive_integer(mrs, limit):
    reply = await mrs.get(f"jobs?limit={limit}")
    assert reply.status == 400
    assert reply.error() == (400, "'limit' must be positive integer")


async def test_limit_of_one_is_a_page_of_one(five):
    project, _ = five
    listed, _ = await names(project, "?limit=1&sort_by=name")
    assert listed == ["alpha"]


@pytest.mark.parametrize("sort_by, field", [("bogus", "bogus"), ("-bogus", "bogus"), ("description", "description"),
                                            ("", "")])
async def test_sort_by_must_name_a_sortable_field(mrs, sort_by, field):
    reply = await mrs.get(f"jobs?sort_by={sort_by}")
    assert reply.status == 400
    assert reply.error() == (400, f"Unknown field for sorting {field}")


async def test_filter_by_type_is_equality(five):
    project, _ = five
    listed, _ = await names(project, "?type=DistCp&sort_by=name")
    assert listed == ["bravo", "delta", "echo"]
    assert (await names(project, "?type=Dist"))[0] == []


async def test_a_repeated_filter_counts_once_with_its_first_value(five):
    project, _ = five
    assert (await names(project, "?type=Spark&type=DistCp"))[0] == ["alpha"]


async def test_filter_by_name_is_a_regular_expression_search(five):
    project, _ = five
    assert (await names(project, "?name=lph&sort_by=name"))[0] == ["alpha"]
    assert (await names(project, "?name=ha&sort_by=name"))[0] == ["alpha", "charlie"]
    assert (await names(project, "?name=^(bravo|echo)$&sort_by=name"))[0] == ["bravo", "echo"]
    assert (await names(project, "?name=lie&type=MapReduce"))[0] == ["charlie"]
    assert (await names(project, "?name=lie&type=DistCp"))[0] == []


async def test_unknown_filter_and_bad_pattern_are_refused(mrs):
    reply = await mrs.get("jobs?colour=red")
    assert reply.error() == (400, "Unknown field for filtering colour")
    reply = await mrs.get("jobs?name=(")
    assert reply.error() == (400, "Invalid regular expression for name: (")


async def test_binaries_page_and_sort_the_same_way(mrs):
    project = mrs.in_project(EMPTY_PROJECT)
    made = [await project.new_binary(name) for name in ("b-two", "b-one", "b-three")]
    reply = await project.get("job-binaries?sort_by=name&limit=2")
    assert [b["name"] for b in reply.body["binaries"]] == ["b-one", "b-three"]
    assert reply.body["markers"] == {"prev": None, "next": made[2]["id"]}
    reply = await project.get("job-binaries?url=^/simple&name=two")
    assert [b["name"] for b in reply.body["binaries"]] == ["b-two"]
    assert (await project.get("job-binaries?sort_by=type")).error() == (400, "Unknown field for sorting type")
