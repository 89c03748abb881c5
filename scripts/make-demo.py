#!/usr/bin/env python3
"""Writes lib/demo.jsonl, the built-in demo dataset (run by hand when the
demo changes; the build embeds the .jsonl, not this script).

Everything here is fictional: organisations, projects and figures are made
up to show good practice (project 1), poor practice (project 2), a mixed
picture (project 3) and a project with too little recorded to judge
(project 4). No record names or describes a person."""
import hashlib, json, sys

T = "2025-01-15T09:00:00Z"
n = [0]
ids = {}

def rid(key):
    if key not in ids:
        # a fixed, random-looking UUID (version 4 layout) per demo record
        h = hashlib.md5(("withus-demo:" + key).encode()).hexdigest()
        ids[key] = "%s-%s-4%s-%x%s-%s" % (h[0:8], h[8:12], h[13:16], 8 + int(h[16], 16) % 4, h[17:20], h[20:32])
    return ids[key]

out = []
def rec(type_, key, **f):
    r = {"type": type_, "id": rid(key), "created": T, "updated": T}
    for k, v in f.items():
        if v is not None:
            r[k] = v
    out.append(r)

FICT = "Fictional organisation (withus demo data)."
rec("org", "amara", name="Amara Sex Worker Collective", alias="Collective A", kind="sex-worker-led",
    represents=["sex-workers"], swl_self_declared=True, swl_board_pct=80, swl_spokes_pct=100,
    swl_staff_pct=70, disclose_swl=True, iati_type="22", country="KE", region="Nairobi County",
    visibility="alias", note=FICT + " Unregistered collective; no public registration number.")
rec("org", "northfield", name="Northfield University", kind="academic", iati_type="80",
    ror="https://ror.org/0n0rthf93", country="GB", region="England", visibility="public", note=FICT)
rec("org", "lakeside", name="Lakeside Health Foundation", kind="funder", iati_type="60",
    org_id="GB-CHC-0000001", country="GB", visibility="public", note=FICT)
rec("org", "harbour", name="Harbour Light Outreach", kind="community-based", iati_type="21",
    org_id="GB-CHC-0000002", country="GB", region="Scotland", visibility="public",
    note=FICT + " Outreach service; not led by sex workers.")
rec("org", "union", name="Red Lantern Workers' Union", alias="Union B", kind="sex-worker-led",
    represents=["sex-workers"], swl_board_pct=65, swl_spokes_pct=70, swl_staff_pct=40,
    disclose_swl=False, country="GB", region="Scotland", visibility="alias", note=FICT)
rec("org", "rosa", name="Rosa Trans Network", kind="community-led",
    represents=["sex-workers", "trans"], country="BR", region="São Paulo", visibility="public", note=FICT)
rec("org", "mekong", name="Mekong Migrant Voices", kind="community-led", represents=["migrants"],
    country="TH", region="Chiang Mai", visibility="alias", alias="Migrant group C", note=FICT)
rec("org", "lotus", name="Lotus Sex Worker Network", alias="Network D", kind="sex-worker-led",
    represents=["migrants", "sex-workers"], swl_board_pct=75, swl_spokes_pct=80, swl_staff_pct=60,
    disclose_swl=True, country="TH", region="Chiang Mai", visibility="alias", note=FICT)

# ---- project 1: good practice -------------------------------------------------
P = "p1"
rec("project", P, title="Safer Work, Stronger Voices", lead_org=rid("northfield"), funders=[rid("lakeside")],
    planned_start="2024-01-01", planned_end="2026-06-30", actual_start="2024-01-08",
    budget_total="250000.00", currency="GBP", value_date="2023-11-01", populations=["sex-workers"],
    decrim_stance="public-support", dp_plan=True, le_request_policy=True, cert_confidentiality=True,
    police_in_recruitment=False, data_shared_with_police=False, visibility="shared",
    note="Co-led with a sex worker-led collective from the first idea onwards.")
rec("site", "p1-site", project=rid(P), country="KE", region="Nairobi County", legal_model="full-criminalisation")
rec("partnership", "p1-amara", project=rid(P), org=rid("amara"), iati_roles=["implementing"],
    research_roles=["co-lead", "kt-partner", "peer-research"], first_engaged="2023-02-01",
    agreement_signed="2023-09-01",
    agreement_covers=["budget", "data-ownership", "decision-making", "ip", "publication-review", "roles"],
    co_applicant=True, direct_awardee=True, questions_originated=3)
rec("partnership", "p1-north", project=rid(P), org=rid("northfield"), iati_roles=["accountable", "implementing"],
    research_roles=["co-lead", "host"], first_engaged="2023-02-01", agreement_signed="2023-09-01",
    agreement_covers=["budget", "data-ownership", "decision-making", "ip", "publication-review", "roles"],
    co_applicant=True)
rec("partnership", "p1-lake", project=rid(P), org=rid("lakeside"), iati_roles=["funding"], first_engaged="2023-06-01")
levels = [("identifying", "lead"), ("commissioning", "collaborate"), ("design", "lead"), ("undertaking", "lead"),
          ("analysis", "collaborate"), ("dissemination", "lead"), ("evaluation", "collaborate"),
          ("governance", "collaborate")]
for i, (ph, lv) in enumerate(levels):
    rec("involvement", "p1-inv-%d" % i, project=rid(P), org=rid("amara"), phase=ph, level=lv,
        start_date="2023-02-01" if ph in ("identifying", "commissioning") else "2024-01-08",
        nominated_by="org", recorded_by="jointly", evidence="https://example.org/demo/p1/minutes-%s" % ph)
rec("body", "p1-cab", project=rid(P), name="Community Advisory Board", kind="advisory", seats=8, swlo_seats=6,
    chair_org=rid("amara"))
rec("role", "p1-role-colead", project=rid(P), role="co-lead", org=rid("amara"), recruited_via="swlo", count=1)
rec("role", "p1-role-peer", project=rid(P), role="peer-researcher", org=rid("amara"), recruited_via="swlo", count=4)
rec("role", "p1-role-ci", project=rid(P), role="co-investigator", org=rid("northfield"),
    recruited_via="researcher-network", count=1, orcid="0000-0002-1825-0097")
for key, org, cat, amt in [("kt", "amara", "kt", "40000.00"), ("pay", "amara", "community-researcher-pay", "45000.00"),
                           ("cap", "amara", "capacity-building", "15000.00"), ("ovh", "amara", "overhead", "7000.00"),
                           ("uni", "northfield", "other", "123000.00"), ("ktu", "northfield", "kt", "20000.00")]:
    rec("budget", "p1-b-" + key, project=rid(P), recipient=rid(org), category=cat, amount=amt, currency="GBP",
        value_date="2023-11-01", status="committed", budget_type="original", period_start="2024-01-01",
        period_end="2024-12-31", match_required=False)
rec("transaction", "p1-t-in", project=rid(P), kind="incoming-funds", provider=rid("lakeside"),
    receiver=rid("northfield"), amount="125000.00", currency="GBP", date="2024-01-05")
for i, (act, inv, paid, amt, b) in enumerate([("2024-02-10", "2024-02-12", "2024-02-26", "9000.00", "pay"),
                                              ("2024-04-20", "2024-04-22", "2024-05-10", "9000.00", "pay"),
                                              ("2024-06-15", "2024-06-16", "2024-07-01", "12000.00", "kt"),
                                              ("2024-09-01", "2024-09-03", "2024-09-20", "7500.00", "cap"),
                                              ("2024-11-04", "2024-11-06", "2024-11-21", "20000.00", "kt"),
                                              ("2025-02-03", "2025-02-05", "2025-02-19", "18000.00", "pay"),
                                              ("2025-05-12", "2025-05-13", "2025-05-28", "8000.00", "kt"),
                                              ("2025-06-02", "2025-06-04", "2025-06-18", "7500.00", "cap"),
                                              ("2025-06-02", "2025-06-04", "2025-06-18", "7000.00", "ovh"),
                                              ("2025-09-15", "2025-09-16", "2025-10-01", "9000.00", "pay")]):
    rec("transaction", "p1-t-%d" % i, project=rid(P), budget=rid("p1-b-" + b), kind="disbursement",
        provider=rid("northfield"), receiver=rid("amara"), amount=amt, currency="GBP", date=paid,
        activity_date=act, invoice_date=inv)
rec("payrate", "p1-rate-peer", project=rid(P), party="community", role="peer-researcher", org=rid("amara"),
    unit="day", amount="190.00", currency="GBP", value_date="2024-01-01")
rec("payrate", "p1-rate-ra", project=rid(P), party="academic", role="research-assistant", org=rid("northfield"),
    unit="day", amount="200.00", currency="GBP", value_date="2024-01-01")
rec("output", "p1-paper", project=rid(P), kind="paper", title="Working safely under criminalisation: a co-led study",
    peer_reviewed=True, review_sent="2025-03-01", submitted="2025-03-20", published="2025-07-01",
    returned_to_community="2025-08-15", coauthorship_offered=True, stance="supports-decriminalisation",
    gripp_aim="Share decisions on every phase with the collective.",
    gripp_methods="Co-lead role, advisory board with a majority of collective seats, paid peer researchers.",
    gripp_results="Research questions and the survey were rewritten by the collective.",
    gripp_outcomes="Findings used in the collective's own advocacy.",
    gripp_reflection="Payment schedules needed two revisions before they were on time.")
rec("output", "p1-brief", project=rid(P), kind="community-brief", title="What we found, in our words",
    peer_reviewed=False, review_sent="2025-04-01", submitted="2025-04-20", published="2025-05-01",
    returned_to_community="2025-05-01", coauthorship_offered=True, stance="supports-decriminalisation")
rec("contribution", "p1-c1", output=rid("p1-paper"), org=rid("amara"), credit_role="conceptualization", degree="lead", group_author=True)
rec("contribution", "p1-c2", output=rid("p1-paper"), org=rid("amara"), credit_role="investigation", degree="equal", group_author=True)
rec("contribution", "p1-c3", output=rid("p1-paper"), org=rid("northfield"), credit_role="formal-analysis", degree="lead")
rec("contribution", "p1-c4", output=rid("p1-brief"), org=rid("amara"), credit_role="writing-original-draft", degree="lead", group_author=True)

# ---- project 2: poor practice -------------------------------------------------
P = "p2"
rec("project", P, title="Nightlife Health Survey", lead_org=rid("northfield"), funders=[rid("lakeside")],
    planned_start="2024-09-01", planned_end="2025-08-31", actual_start="2024-09-15",
    budget_total="180000.00", currency="GBP", value_date="2024-05-01", populations=["migrants", "sex-workers", "trans"],
    decrim_stance="none", dp_plan=True, le_request_policy=False, police_in_recruitment=False,
    visibility="private")
rec("site", "p2-site", project=rid(P), country="GB", region="Scotland", legal_model="partial-criminalisation")
rec("partnership", "p2-union", project=rid(P), org=rid("union"), research_roles=["recruitment-only"],
    first_engaged="2024-10-01", co_applicant=False, direct_awardee=False)
rec("partnership", "p2-harbour", project=rid(P), org=rid("harbour"), iati_roles=["implementing"],
    research_roles=["subcontractor"], first_engaged="2024-05-01", agreement_signed="2024-08-01",
    agreement_covers=["budget", "roles"])
rec("partnership", "p2-north", project=rid(P), org=rid("northfield"), iati_roles=["accountable"],
    research_roles=["co-lead"], first_engaged="2024-03-01")
rec("involvement", "p2-inv-1", project=rid(P), org=rid("union"), phase="undertaking", level="involve",
    start_date="2024-10-01", nominated_by="research-team", recorded_by="research-team")
rec("involvement", "p2-inv-2", project=rid(P), org=rid("union"), phase="dissemination", level="inform",
    start_date="2025-06-01", nominated_by="research-team", recorded_by="research-team")
rec("involvement", "p2-inv-3", project=rid(P), org=rid("union"), phase="analysis", level="none",
    recorded_by="research-team")
rec("body", "p2-adv", project=rid(P), name="Project Advisory Group", kind="advisory", seats=10, swlo_seats=1,
    chair_org=rid("northfield"))
rec("role", "p2-role-peer", project=rid(P), role="peer-researcher", org=rid("harbour"), recruited_via="open-call", count=2)
rec("budget", "p2-b-comp", project=rid(P), recipient=rid("union"), category="participant-compensation",
    amount="4000.00", currency="GBP", value_date="2024-05-01", status="committed", via_org=rid("harbour"),
    match_required=True)
rec("budget", "p2-b-sub", project=rid(P), recipient=rid("harbour"), category="other", amount="16000.00",
    currency="GBP", value_date="2024-05-01", status="committed")
rec("budget", "p2-b-uni", project=rid(P), recipient=rid("northfield"), category="other", amount="160000.00",
    currency="GBP", value_date="2024-05-01", status="committed")
rec("transaction", "p2-t-1", project=rid(P), budget=rid("p2-b-comp"), kind="disbursement", provider=rid("northfield"),
    receiver=rid("harbour"), amount="2000.00", currency="GBP", date="2025-03-20", activity_date="2024-12-10",
    invoice_date="2025-01-05")
rec("payrate", "p2-rate-peer", project=rid(P), party="community", role="peer-researcher", org=rid("harbour"),
    unit="hour", amount="12.00", currency="GBP", value_date="2024-09-01")
rec("payrate", "p2-rate-ra", project=rid(P), party="academic", role="research-assistant", org=rid("northfield"),
    unit="hour", amount="28.00", currency="GBP", value_date="2024-09-01")
rec("output", "p2-paper", project=rid(P), kind="paper", title="Health needs in the night-time economy",
    peer_reviewed=True, submitted="2025-09-01", coauthorship_offered=False, stance="neutral")
rec("contribution", "p2-c1", output=rid("p2-paper"), org=rid("northfield"), credit_role="conceptualization", degree="lead")

# ---- project 3: a mixed picture -----------------------------------------------------
P = "p3"
rec("project", P, title="Mobility and Rights Study", lead_org=rid("northfield"), funders=[rid("lakeside")],
    planned_start="2025-01-01", planned_end="2026-12-31", actual_start="2025-02-01",
    budget_total="2400000.00", currency="THB", value_date="2024-10-01", populations=["migrants", "sex-workers"],
    decrim_stance="support", dp_plan=True, le_request_policy=True, cert_confidentiality=False,
    police_in_recruitment=False, data_shared_with_police=False, visibility="shared")
rec("site", "p3-site", project=rid(P), country="TH", region="Chiang Mai", legal_model="full-criminalisation")
rec("partnership", "p3-lotus", project=rid(P), org=rid("lotus"), iati_roles=["implementing"],
    research_roles=["co-investigator", "peer-research"], first_engaged="2024-11-15",
    agreement_signed="2025-01-20", agreement_covers=["budget", "publication-review", "roles"],
    co_applicant=False, direct_awardee=False, questions_originated=1)
rec("partnership", "p3-mekong", project=rid(P), org=rid("mekong"), research_roles=["advisory"],
    first_engaged="2025-01-10")
rec("partnership", "p3-north", project=rid(P), org=rid("northfield"), iati_roles=["accountable"],
    research_roles=["co-lead"], first_engaged="2024-06-01")
for i, (ph, lv) in enumerate([("identifying", "consult"), ("design", "involve"), ("undertaking", "collaborate"),
                              ("analysis", "involve"), ("dissemination", "collaborate"), ("governance", "involve")]):
    rec("involvement", "p3-inv-%d" % i, project=rid(P), org=rid("lotus"), phase=ph, level=lv,
        nominated_by="org", recorded_by="research-team")
rec("involvement", "p3-mk-1", project=rid(P), org=rid("mekong"), phase="design", level="consult", nominated_by="org",
    recorded_by="research-team")
rec("involvement", "p3-mk-2", project=rid(P), org=rid("mekong"), phase="dissemination", level="involve",
    nominated_by="org", recorded_by="research-team")
rec("body", "p3-steer", project=rid(P), name="Steering Group", kind="steering", seats=6, swlo_seats=2,
    chair_org=rid("northfield"))
rec("role", "p3-role-ci", project=rid(P), role="co-investigator", org=rid("lotus"), recruited_via="swlo", count=1)
rec("role", "p3-role-peer", project=rid(P), role="peer-researcher", org=rid("lotus"), recruited_via="swlo", count=3)
for key, org, cat, amt in [("kt", "lotus", "kt", "300000.00"), ("pay", "lotus", "community-researcher-pay", "450000.00"),
                           ("mk", "mekong", "kt", "150000.00"), ("uni", "northfield", "other", "1500000.00")]:
    rec("budget", "p3-b-" + key, project=rid(P), recipient=rid(org), category=cat, amount=amt, currency="THB",
        value_date="2024-10-01", status="committed", period_start="2025-01-01", period_end="2025-12-31")
rec("transaction", "p3-t-commit", project=rid(P), kind="outgoing-commitment", provider=rid("northfield"),
    receiver=rid("lotus"), amount="750000.00", currency="THB", date="2025-01-20")
rec("transaction", "p3-t-1", project=rid(P), budget=rid("p3-b-pay"), kind="disbursement", provider=rid("northfield"),
    receiver=rid("lotus"), amount="225000.00", currency="THB", date="2025-04-30", activity_date="2025-03-01",
    invoice_date="2025-03-31")
rec("transaction", "p3-t-2", project=rid(P), budget=rid("p3-b-kt"), kind="disbursement", provider=rid("northfield"),
    receiver=rid("lotus"), amount="100000.00", currency="THB", date="2025-08-05", activity_date="2025-07-01",
    invoice_date="2025-07-02")
rec("payrate", "p3-rate-peer", project=rid(P), party="community", role="peer-researcher", org=rid("lotus"),
    unit="day", amount="1500.00", currency="THB", value_date="2025-01-01")
rec("payrate", "p3-rate-ra", project=rid(P), party="academic", role="research-assistant", org=rid("northfield"),
    unit="day", amount="1800.00", currency="THB", value_date="2025-01-01")
rec("output", "p3-brief", project=rid(P), kind="community-brief", title="Moving for work: early findings",
    review_sent="2025-10-01", submitted="2025-10-10", coauthorship_offered=True, stance="supports-decriminalisation")
rec("contribution", "p3-c1", output=rid("p3-brief"), org=rid("lotus"), credit_role="writing-review-editing",
    degree="equal", group_author=True)

# ---- project 4: too little recorded to judge -------------------------------------------
P = "p4"
rec("project", P, title="Community Safety Mapping (pilot)", lead_org=rid("rosa"), actual_start="2025-05-01",
    populations=["sex-workers", "trans"], visibility="private")
rec("site", "p4-site", project=rid(P), country="BR", region="São Paulo", legal_model="partial-criminalisation")
rec("partnership", "p4-rosa", project=rid(P), org=rid("rosa"), research_roles=["co-lead"], first_engaged="2025-01-01")

# ---- attestations: what the organisations say about the claims naming them ------------
# Amara confirms nearly every claim about it; the union disputes being
# "involved" in running a survey it only leafleted for; Lotus confirms some
# claims, partly confirms one and leaves the payments unreviewed.
A = "2026-02-02T10:00:00Z"
def by_id(i):
    return next(r for r in out if r["id"] == i)

def attest(claim, org, status, comment=None):
    c = by_id(claim)
    project = c.get("project") or by_id(c["output"])["project"]
    rec("attestation", "att-%s-%s" % (claim, org), claim=claim, org=rid(org), status=status, comment=comment,
        project=project)
    out[-1]["created"] = out[-1]["updated"] = A

def claims_of(project, org):
    names = ("org", "recipient", "receiver")
    for r in list(out):
        p = r.get("project") or (by_id(r["output"])["project"] if "output" in r else None)
        kind_ok = r["type"] in ("partnership", "involvement", "budget", "contribution") or \
            (r["type"] == "transaction" and r.get("kind") == "disbursement")
        if kind_ok and p == rid(project) and any(r.get(k) == rid(org) for k in names):
            yield r

for r in claims_of("p1", "amara"):
    if r["type"] == "partnership":
        attest(r["id"], "amara", "confirmed", "We co-lead this study; the agreement matches what we signed.")
    elif r["type"] == "transaction" and r["amount"] == "20000.00":
        attest(r["id"], "amara", "partly-confirmed", "Received in full, but two months after the workshop it paid for.")
    else:
        attest(r["id"], "amara", "confirmed")
attest(rid("p2-union"), "union", "confirmed")
attest(rid("p2-b-comp"), "union", "confirmed")
attest(rid("p2-inv-1"), "union", "disputed",
       "We handed out flyers at two venues; we had no part in running the survey.")
for r in claims_of("p3", "lotus"):
    if r["type"] in ("partnership", "budget") or r.get("phase") in ("identifying", "undertaking", "dissemination"):
        attest(r["id"], "lotus", "confirmed")
    elif r.get("phase") == "design":
        attest(r["id"], "lotus", "partly-confirmed", "We commented on the questionnaire after its design was fixed.")

with open(sys.argv[1] if len(sys.argv) > 1 else "lib/demo.jsonl", "w", encoding="utf-8") as f:
    for r in out:
        f.write(json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n")
