"""The fault matrix: each fault Sandan must survive, and the tests that prove it.

Every row names at least one test, and every test named runs on SQLite and, where
TEST_POSTGRES_URL is set, on PostgreSQL too (it takes the `db` fixture, directly or through
`running`). The checks below keep this index true as tests are renamed or moved.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

MATRIX: dict[int, tuple[str, list[str]]] = {
    1: (
        "duplicate updates",
        [
            "tests/e2e/test_resident_e2e.py::test_a_duplicate_update_is_applied_once",
            "tests/flows/test_resident_flows.py::test_the_same_update_is_applied_once",
            "tests/flows/test_resident_flows.py::test_a_refused_update_is_recorded_so_its_redelivery_is_ignored",
        ],
    ),
    2: (
        "50 concurrent claims",
        [
            "tests/test_concurrency.py::test_fifty_members_claiming_one_wall_posting_make_exactly_one_assignment",
        ],
    ),
    3: (
        "429 storms with retry_after of 1, 35 and 10,072 s, the last aimed at one chat",
        [
            "tests/faults/test_delivery_faults.py::"
            "test_a_flood_wait_for_one_chat_holds_that_chat_only_and_the_others_keep_flowing",
            "tests/faults/test_delivery_faults.py::"
            "test_a_long_message_cut_off_by_a_429_resumes_after_the_parts_already_sent",
            "tests/e2e/test_faults_e2e.py::test_a_flood_wait_of_10072_s_on_one_chat_holds_only_that_chat",
            "tests/e2e/test_faults_e2e.py::test_a_429_storm_on_every_chat_delays_but_loses_and_repeats_nothing",
            "tests/e2e/test_faults_e2e.py::test_a_long_message_cut_off_by_429s_resumes_where_it_stopped",
            "tests/e2e/test_resident_e2e.py::test_a_429_storm_delays_notifications_but_loses_none",
            "tests/test_broadcast_delivery.py::test_a_429_storm_slows_a_broadcast_but_loses_and_repeats_nothing",
        ],
    ),
    4: (
        "a user who blocked the bot, including the member a wish is offered to",
        [
            "tests/test_delivery.py::test_a_blocked_user_is_marked_unreachable_and_staff_are_told",
            "tests/test_unreachable.py::"
            "test_an_offer_to_a_member_who_blocked_the_bot_closes_at_once_and_the_wish_is_back_with_staff",
            "tests/test_unreachable.py::test_a_block_found_on_another_message_also_closes_the_members_open_offers",
            "tests/test_unreachable.py::test_staff_cannot_dispatch_to_a_member_who_blocked_the_bot",
            "tests/e2e/test_access_e2e.py::"
            "test_an_offer_to_a_member_who_blocked_the_bot_comes_back_to_staff_ready_to_dispatch",
        ],
    ),
    5: (
        "500s and dropped connections on replies as well as on notifications",
        [
            "tests/e2e/test_faults_e2e.py::test_the_answer_to_submit_arrives_even_when_sending_it_fails_again_and_again",
            "tests/e2e/test_faults_e2e.py::test_a_dropped_connection_on_a_notification_is_retried_and_delivered_once",
            "tests/test_delivery.py::test_network_errors_back_off_and_retry",
        ],
    ),
    6: (
        "a restart mid-form",
        ["tests/e2e/test_resident_e2e.py::test_a_restart_in_the_middle_of_the_form_keeps_the_answers"],
    ),
    7: (
        "a restart mid-broadcast",
        [
            "tests/test_broadcast_delivery.py::test_a_broadcast_restarted_midway_reaches_everyone_exactly_once",
            "tests/test_broadcast_delivery.py::"
            "test_a_broadcast_continues_after_a_crash_and_everyone_gets_it_exactly_once",
        ],
    ),
    8: (
        "a scheduler restart, and overlapping sweeps",
        [
            "tests/sweeps/test_scheduler.py::"
            "test_the_scheduler_sweeps_at_start_coalesces_and_a_restart_sends_nothing_twice",
            "tests/sweeps/test_restart.py::test_a_restarted_process_sends_nothing_already_sent",
            "tests/sweeps/test_concurrent_sweeps.py::test_two_processes_sweeping_at_once_send_each_reminder_once",
        ],
    ),
    9: (
        "SQLite lock pressure",
        [
            "tests/faults/test_lock_pressure.py::test_forty_people_writing_at_once_beside_the_sender_all_get_their_answer",
        ],
    ),
    10: (
        "forged and stale callbacks",
        [
            "tests/faults/test_callback_faults.py::test_an_undecodable_button_is_a_stale_button_and_changes_nothing",
            "tests/faults/test_callback_faults.py::test_a_button_signed_by_another_bot_is_refused",
            "tests/e2e/test_faults_e2e.py::test_a_malformed_button_gets_the_stale_button_answer",
            "tests/flows/test_staff_flows.py::test_a_stale_accept_button_says_what_happened",
            "tests/e2e/test_resident_e2e.py::test_a_forged_button_gets_a_polite_refusal",
        ],
    ),
    11: (
        "cross-branch access",
        [
            "tests/test_permissions.py::test_a_member_of_another_branch_can_neither_be_offered_nor_take_nor_do_its_wishes",
            "tests/test_permissions.py::test_staff_of_another_branch_cannot_change_a_wish",
            "tests/test_permissions.py::test_staff_of_another_branch_cannot_see_a_wish_but_its_own_staff_can",
            "tests/flows/test_staff_members_flows.py::"
            "test_staff_of_another_branch_cannot_suspend_or_reinstate_by_a_forged_button",
        ],
    ),
    12: (
        "HTML injection",
        [
            "tests/e2e/test_html_injection_e2e.py::"
            "test_markup_in_a_wish_and_a_name_reaches_offer_wall_notice_and_broadcast_escaped",
        ],
    ),
    13: (
        "formula injection",
        [
            "tests/reports/test_report_formula_injection.py::"
            "test_formula_injection_every_sheet_of_export_keeps_user_text_as_plain_text",
            "tests/reports/test_report_formula_injection.py::"
            "test_formula_injection_every_sheet_of_each_work_unit_file_keeps_user_text_as_plain_text",
        ],
    ),
    14: (
        "over-long inputs",
        [
            "tests/e2e/test_faults_e2e.py::test_an_over_long_wish_text_is_refused_politely_and_asked_again",
            "tests/e2e/test_faults_e2e.py::test_an_over_long_command_argument_gets_an_answer_not_a_crash",
            "tests/flows/test_staff_broadcast_flows.py::test_a_too_long_notice_is_refused_and_asked_again",
        ],
    ),
    15: (
        "unexpected message types",
        [
            "tests/e2e/test_resident_e2e.py::test_stickers_and_documents_get_a_helpful_reply",
            "tests/e2e/test_faults_e2e.py::"
            "test_a_location_or_an_edited_message_outside_a_form_gets_a_polite_answer_and_changes_nothing",
        ],
    ),
    16: (
        "privacy in notices, exports, offers and the wall",
        [
            "tests/reports/test_report_notice.py::"
            "test_the_published_notice_has_no_full_name_phone_or_house_number_of_seeded_people",
            "tests/reports/test_report_export_privacy.py::"
            "test_privacy_in_exports_an_admin_gets_every_branch_masked_and_its_free_text_scrubbed",
            "tests/flows/test_contact_scrubbing_flows.py::test_every_offeree_gets_the_offer_scrubbed_even_one_who_declines",
            "tests/flows/test_contact_scrubbing_flows.py::"
            "test_the_wall_shows_no_contact_but_the_member_who_claims_it_sees_the_original",
            "tests/test_broadcasts.py::test_a_phone_or_house_number_in_a_broadcast_reaches_nobody_and_the_rest_does",
            "tests/flows/test_contact_rule_flows.py::"
            "test_an_admin_not_staff_of_the_branch_sees_the_contact_masked_on_screen_as_in_export",
        ],
    ),
    17: (
        "a status change after an offer",
        [
            "tests/test_permissions.py::test_a_member_suspended_paused_or_moved_after_an_offer_can_neither_take_it_nor_claim",
            "tests/test_permissions.py::"
            "test_a_member_suspended_paused_or_moved_after_taking_a_job_loses_it_and_its_contact",
            "tests/test_concurrency.py::test_a_suspension_racing_a_take_never_leaves_the_job_with_the_suspended_member",
        ],
    ),
    18: (
        "notification spam",
        [
            "tests/test_alert_budget.py::test_a_hundred_submit_cancel_cycles_alert_each_staff_member_at_most_the_budget",
            "tests/test_alert_budget.py::test_the_budget_is_per_person_and_the_scheduler_and_staff_are_never_budgeted",
            "tests/test_submit_and_registration.py::"
            "test_fifty_re_registrations_alternating_two_branches_alert_each_branch_at_most_once",
        ],
    ),
}


def _collected(nodes: list[str]) -> list[str]:
    """Node ids pytest collects for `nodes`, with their database parameters."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *nodes],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return [line for line in result.stdout.splitlines() if "::" in line]


def test_the_matrix_has_all_eighteen_rows_each_with_a_test():
    assert sorted(MATRIX) == list(range(1, 19))
    assert [row for row, (_, tests) in MATRIX.items() if not tests] == []


def test_every_test_in_the_matrix_exists_and_runs_on_sqlite_and_on_postgres_when_set():
    nodes = sorted({test for _, tests in MATRIX.values() for test in tests})
    collected = _collected(nodes)
    backends = ["sqlite", "postgres"] if os.environ.get("TEST_POSTGRES_URL") else ["sqlite"]
    missing = [
        (node, backend)
        for node in nodes
        for backend in backends
        if not any(c.startswith(node + "[") and backend in c[len(node) :] for c in collected)
    ]
    assert missing == []
