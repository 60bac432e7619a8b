"""The board in a real browser against a standalone node that ran the seed's hetero LR job: the jobs list, the DAG
with each component's final state, the loss and ROC charts, output rows and logs as the tracking API and the
node's log files have them, a new job arriving over the event stream and stopped from its page, readable DAG
boxes, and the keyboard. Screenshots of each page go to tests/board/artifacts/; a console error, a broken asset or
a failed request fails the test (tests/helpers/browser.py).

The page hooks (ids and data-testid attributes) are the ones listed at the top of flow_api/board/static/app.js.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

import pytest
from playwright.sync_api import Locator, Page, expect

from browser import screenshot
from integration_helpers import Node
from jobs_helpers import (GUEST, HOST, job_rows, parties_conf, standalone_node, submitted, wait_dsl, wait_job,
                          wait_tasks_running)
from seed_examples import example, job_succeeded, upload_breast

pytestmark = [pytest.mark.integration, pytest.mark.board]

PARTY = "10000"  # every role of the seed's conf
COMPONENTS = ["dataio_0", "hetero_feature_binning_0", "hetero_feature_selection_0", "hetero_lr_0", "evaluation_0"]
ROWS_COMPARED = 20
TAB_PRESSES = 40  # more than the focusable elements before the jobs table


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    with standalone_node(tmp_path_factory.mktemp("board")) as started:
        yield upload_breast(started)


@pytest.fixture(scope="module")
def trained(node: Node, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The seed's hetero LR job, run to success once for the module."""
    return job_succeeded(node, tmp_path_factory.mktemp("train"), example("test_hetero_lr_job_conf.json"),
                         example("test_hetero_lr_job_dsl.json"))


def board_url(node: Node, job_id: str | None = None, role: str = "guest", party_id: str = PARTY,
              component: str | None = None, tab: str | None = None) -> str:
    """A board page: the jobs list, a job's page for one of its parties, or a component's panel on a tab."""
    if job_id is None:
        return f"{node.url}/board/"
    url = f"{node.url}/board/jobs/{job_id}/{role}/{party_id}"
    if component is not None:
        url += f"/components/{component}"
    return url + (f"#{tab}" if tab else "")


def tracking(node: Node, endpoint: str, job_id: str, role: str, component: str) -> dict[str, Any]:
    """A /v1/tracking/component/<endpoint> reply, which must be a success."""
    reply = node.post(f"/v1/tracking/component/{endpoint}", json={
        "job_id": job_id, "role": role, "party_id": int(PARTY), "component_name": component}).json()
    assert reply["retcode"] == 0, reply
    return dict(reply)


def open_component(page: Page, node: Node, job_id: str, role: str, component: str, tab: str) -> Locator:
    """A component's panel open on a tab, once it has loaded."""
    page.goto(board_url(node, job_id, role, component=component, tab=tab))
    panel = page.get_by_test_id("component-panel")
    expect(panel).to_have_attribute("data-component", component)
    return panel


def assert_cell_shows(cell: str, value: Any) -> None:
    """A table cell shows the value: numbers to the board's 6 significant digits, objects as JSON, text as it is."""
    if isinstance(value, bool) or not isinstance(value, (int, float, dict, list)):
        assert cell == str(value)
    elif isinstance(value, (dict, list)):
        assert json.loads(cell) == pytest.approx(value), (cell, value)
    else:
        assert float(cell) == pytest.approx(value, rel=1e-5, abs=1e-12), (cell, value)


def test_the_job_appears_in_the_jobs_list_for_each_party(page: Page, node: Node, trained: str) -> None:
    page.goto(board_url(node))
    rows = page.locator(f"#jobs-table tr[data-job-id='{trained}']")
    expect(rows).to_have_count(3)
    for role in ("guest", "host", "arbiter"):
        row = rows.and_(page.locator(f"[data-role={role}][data-party-id='{PARTY}']"))
        expect(row).to_have_attribute("data-status", "success")
        expect(row).to_contain_text("100%")
    screenshot(page, "jobs page")


def test_the_dag_shows_every_component_in_its_final_state(page: Page, node: Node, trained: str) -> None:
    page.goto(board_url(node, trained))
    expect(page.get_by_test_id("job-status")).to_have_attribute("data-status", "success")
    nodes = page.locator("#dag g[data-component]")
    expect(nodes).to_have_count(len(COMPONENTS))
    for component in COMPONENTS:
        expect(page.locator(f"#dag g[data-component={component}]")).to_have_attribute("data-status", "success")
    for role in ("guest", "host", "arbiter"):
        party = page.locator(f"#parties tr[data-party-role={role}][data-party-id='{PARTY}']")
        expect(party).to_contain_text("success")
    expect(page.get_by_test_id("stop-job")).to_be_disabled()
    screenshot(page, "job page")


def relative_luminance(colour: str) -> float:
    """WCAG's relative luminance of a computed CSS colour, "rgb(r, g, b)"."""
    channels = [int(value) / 255 for value in re.findall(r"\d+", colour)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(text: str, background: str) -> float:
    """WCAG's contrast ratio of two computed CSS colours."""
    lighter, darker = sorted((relative_luminance(text), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_dag_is_dark_text_on_light_boxes_also_where_the_party_runs_no_task(page: Page, node: Node,
                                                                                trained: str) -> None:
    page.goto(board_url(node, trained, "arbiter"))  # (the arbiter runs hetero_lr_0 alone)
    expect(page.locator("#dag g[data-component=hetero_lr_0]")).to_have_attribute("data-status", "success")
    boxes = page.locator("#dag g[data-component]").evaluate_all("""nodes => nodes.map(node => ({
        name: node.dataset.component, box: getComputedStyle(node.querySelector('.dag-box')).fill,
        texts: [...node.querySelectorAll('text')].map(text => getComputedStyle(text).fill)}))""")
    assert [box["name"] for box in boxes] == COMPONENTS
    for box in boxes:
        assert relative_luminance(box["box"]) > 0.6, box
        assert all(contrast(text, box["box"]) >= 4.5 for text in box["texts"]), box


def chart_points(points: Locator) -> list[tuple[float, float]]:
    """The (x, y) of each of a chart's points (data-x, data-y)."""
    return [(float(x), float(y)) for x, y in points.evaluate_all(
        "points => points.map(point => [point.dataset.x, point.dataset.y])")]


def test_the_loss_chart_has_the_tracked_loss_of_each_iteration(page: Page, node: Node, trained: str) -> None:
    loss = tracking(node, "metric/all", trained, "arbiter", "hetero_lr_0")["data"]["train"]["loss"]["data"]
    open_component(page, node, trained, "arbiter", "hetero_lr_0", "metrics")
    points = page.get_by_test_id("loss-point")
    expect(points).to_have_count(len(loss))
    assert sorted(chart_points(points)) == [(iteration, pytest.approx(value)) for iteration, value in loss]
    expect(page.get_by_test_id("loss-chart")).to_be_visible()
    screenshot(page, "component panel HeteroLR loss")


def test_the_roc_chart_shows_the_tracked_curve_and_auc(page: Page, node: Node, trained: str) -> None:
    metrics = tracking(node, "metric/all", trained, "guest", "evaluation_0")["data"]["train"]
    auc = dict(metrics["hetero_lr_0"]["data"])["auc"]
    roc = metrics["hetero_lr_0_roc"]["data"]
    open_component(page, node, trained, "guest", "evaluation_0", "metrics")
    chart = page.get_by_test_id("roc-chart")
    expect(chart).to_be_visible()
    assert chart_points(chart.locator("circle.point")) == [(pytest.approx(x), pytest.approx(y)) for x, y in roc]
    shown = page.get_by_test_id("roc-auc")
    expect(shown).to_be_visible()
    assert float(shown.get_attribute("data-value") or "") == auc
    text = re.fullmatch(r"AUC (\d\.(\d+))", shown.inner_text().strip())
    assert text is not None, shown.inner_text()
    assert float(text.group(1)) == pytest.approx(auc, abs=0.5 * 10 ** -len(text.group(2)))  # (rounded for display)
    for other in ("ks-chart", "lift-chart", "gain-chart", "pr-chart", "confusion-matrix"):
        expect(page.get_by_test_id(other)).to_be_visible()
    screenshot(page, "component panel Evaluation")


def test_the_output_rows_are_those_of_component_output_data(page: Page, node: Node, trained: str) -> None:
    tracked = tracking(node, "output/data", trained, "guest", "hetero_lr_0")
    open_component(page, node, trained, "guest", "hetero_lr_0", "output")
    table = page.locator("#output-table")
    expect(table).to_be_visible()
    assert table.locator("thead th").all_inner_texts() == tracked["meta"]["header"]
    body_rows = table.locator("tbody tr")
    expect(body_rows.first).to_be_visible()
    for row, expected in zip(body_rows.all()[:ROWS_COMPARED], tracked["data"][:ROWS_COMPARED], strict=True):
        cells = row.locator("td").all_inner_texts()
        assert len(cells) == len(expected), (cells, expected)
        for cell, value in zip(cells, expected):
            assert_cell_shows(cell, value)
    expect(page.get_by_test_id("output-total")).to_contain_text(str(tracked["meta"]["total"]))
    screenshot(page, "component panel HeteroLR output")


def tracked_model_view(model: dict[str, Any], component: str) -> dict[str, Any]:
    """What the board's model view of the component shows by feature, read from component_output_model's data: LR
    weights, the guest's binning IV, whether selection kept each feature (as the page's data-value/data-kept)."""
    if component == "hetero_lr_0":
        return {feature: pytest.approx(weight) for feature, weight in model["weight"].items()}
    if component == "hetero_feature_binning_0":
        return {feature: pytest.approx(result["iv"])
                for feature, result in model["binningResult"]["binningResult"].items()}
    return {feature: str(kept).lower() for feature, kept in model["finalLeftCols"]["leftCols"].items()}


@pytest.mark.parametrize(("component", "view", "attribute"), [
    ("hetero_lr_0", "model-weights", "value"),
    ("hetero_feature_binning_0", "model-iv", "value"),
    ("hetero_feature_selection_0", "model-selection", "kept"),
])
def test_the_model_views_show_component_output_model_by_feature(page: Page, node: Node, trained: str, component: str,
                                                                 view: str, attribute: str) -> None:
    model = tracking(node, "output/model", trained, "guest", component)["data"]
    open_component(page, node, trained, "guest", component, "model")
    features = page.get_by_test_id(view).first.locator("[data-feature]")
    expect(features.first).to_be_visible()
    shown = dict(features.evaluate_all(f"items => items.map(item => [item.dataset.feature, item.dataset.{attribute}])"))
    if attribute == "value":
        shown = {feature: float(value) for feature, value in shown.items()}
    assert shown == tracked_model_view(model, component)


def test_the_log_panel_shows_the_components_log(page: Page, node: Node, trained: str) -> None:
    log_file = node.data_dir / "logs" / trained / "guest" / PARTY / "hetero_lr_0" / "INFO.log"
    lines = log_file.read_text().splitlines()
    assert lines, log_file
    open_component(page, node, trained, "guest", "hetero_lr_0", "log")
    log = page.locator("#log")
    expect(log).to_contain_text(lines[-1])
    shown = log.inner_text()
    assert all(line in shown for line in lines), shown
    screenshot(page, "component panel HeteroLR log")


def test_a_new_job_shows_up_live_and_stops_from_its_page_after_confirming(page: Page, node: Node,
                                                                          tmp_path: Path) -> None:
    listings: list[str] = []
    page.on("request", lambda request: listings.append(request.url) if "/board/api/jobs?" in request.url else None)
    page.goto(board_url(node))
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    job_id = submitted(node, tmp_path, wait_dsl(("wait_0", [])),
                       parties_conf(GUEST, HOST, algorithm={"wait_0": {"seconds": 60}}))
    row = page.locator(f"#jobs-table tr[data-job-id='{job_id}'][data-role=guest][data-party-id='{GUEST}']")
    expect(row).to_have_attribute("data-status", "running")
    assert len(listings) == 1, listings  # (the list loaded once; the new job came over the event stream)
    wait_tasks_running(node, job_id, 2)
    row.get_by_role("link", name=job_id).click()
    page.wait_for_url(board_url(node, job_id, "guest", GUEST))
    status = page.get_by_test_id("job-status")
    expect(status).to_have_attribute("data-status", "running")
    expect(page.locator("#dag g[data-component=wait_0]")).to_have_attribute("data-status", "running")
    page.get_by_test_id("stop-job").click()
    confirm = page.get_by_test_id("stop-confirm")
    expect(confirm).to_be_visible()
    screenshot(page, "job page stop confirm")
    page.locator("#stop-confirm-no").click()
    expect(confirm).to_be_hidden()
    assert {row["f_status"] for row in job_rows(node, job_id)} == {"running"}
    page.get_by_test_id("stop-job").click()
    page.locator("#stop-confirm-yes").click()
    expect(status).to_have_attribute("data-status", "canceled", timeout=30_000)
    assert {row["f_status"] for row in wait_job(node, job_id, timeout=30)} == {"canceled"}
    expect(page.get_by_test_id("stop-job")).to_be_disabled()
    screenshot(page, "job page canceled")


def test_tab_reaches_the_jobs_table_and_enter_opens_the_job(page: Page, node: Node, trained: str) -> None:
    page.goto(board_url(node))
    expect(page.locator(f"#jobs-table tr[data-job-id='{trained}']").first).to_be_visible()
    for _ in range(TAB_PRESSES):
        page.keyboard.press("Tab")
        if page.evaluate(f"!!document.activeElement.closest(\"#jobs-table tr[data-job-id='{trained}']\")"):
            break
    else:
        pytest.fail(f"{TAB_PRESSES} presses of Tab did not reach the job's row in the jobs table")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/board/jobs/{trained}/\w+/{PARTY}$"))
    expect(page.locator("#dag g[data-component]")).to_have_count(len(COMPONENTS))
