#!/usr/bin/env python3
"""check-standards.py KIND FILE DB: checks a withus standards export for the
fields and codelists the standard requires. KIND is 360giving (flat CSV),
360giving-json or iati (2.03 activity XML). DB is the withus database, for
its ISO 4217 and ISO 3166 tables. Prints one line per problem; exits 1 if
there is any."""
import csv, datetime, json, re, sqlite3, sys
import xml.etree.ElementTree as ET

kind, path, dbpath = sys.argv[1:4]
db = sqlite3.connect(dbpath)
currencies = {r[0]: r[1] for r in db.execute("SELECT code, exponent FROM currency")}
countries = {r[0] for r in db.execute("SELECT code FROM country")}
problems = []


def bad(msg):
    problems.append(msg)


def date(v, what):
    try:
        datetime.date.fromisoformat(v)
    except (TypeError, ValueError):
        bad("%s: %r is not a date" % (what, v))


def amount(v, cur, what):
    exp = currencies.get(cur)
    if exp is None:
        bad("%s: %r is not an ISO 4217 currency" % (what, cur))
        return
    pat = r"\d+" if exp == 0 else r"\d+\.\d{%d}" % exp
    if not re.fullmatch(pat, v):
        bad("%s: %r is not an exact amount in %s" % (what, v, cur))


REQUIRED_360 = ["Identifier", "Title", "Description", "Currency", "Amount Awarded", "Award Date",
                "Funding Org:Identifier", "Funding Org:Name", "Recipient Org:Identifier", "Recipient Org:Name"]
FORBIDDEN = re.compile(r"postcode|latitude|longitude|geo", re.I)


def check_grant(g, where):
    for k in REQUIRED_360:
        if not g.get(k):
            bad("%s: %s is required" % (where, k))
    if not g.get("Identifier", "").startswith("360G-"):
        bad("%s: Identifier %r does not start with 360G-" % (where, g.get("Identifier")))
    amount(g.get("Amount Awarded", ""), g.get("Currency"), where + " Amount Awarded")
    if g.get("Amount Disbursed"):
        amount(g["Amount Disbursed"], g.get("Currency"), where + " Amount Disbursed")
    date(g.get("Award Date"), where + " Award Date")
    for k in ("Planned Dates:Start Date", "Planned Dates:End Date"):
        if g.get(k):
            date(g[k], where + " " + k)
    cc = g.get("Beneficiary Location:Country Code")
    if cc and cc not in countries:
        bad("%s: %r is not an ISO 3166 country" % (where, cc))
    for org in ("Funding Org:Identifier", "Recipient Org:Identifier"):
        if not re.fullmatch(r"[A-Z]{2}-[A-Z0-9]+-.+|withus-[0-9a-f-]{36}", g.get(org, "")):
            bad("%s: %s %r is neither an org-id nor a withus id" % (where, org, g.get(org)))


if kind == "360giving":
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
        header = rows[0].keys() if rows else []
    for col in header:
        if FORBIDDEN.search(col):
            bad("column %r must never be exported" % col)
    for i, g in enumerate(rows):
        check_grant(g, "row %d" % (i + 2))
    print("%d grants" % len(rows))
elif kind == "360giving-json":
    with open(path, encoding="utf-8") as f:
        doc = json.load(f, parse_float=str, parse_int=str)
    names = {"id": "Identifier", "title": "Title", "description": "Description", "currency": "Currency",
             "amountAwarded": "Amount Awarded", "amountDisbursed": "Amount Disbursed", "awardDate": "Award Date"}
    for i, g in enumerate(doc.get("grants", [])):
        flat = {names[k]: v for k, v in g.items() if k in names}
        for k, target in (("fundingOrganization", "Funding Org"), ("recipientOrganization", "Recipient Org")):
            o = (g.get(k) or [{}])[0]
            flat[target + ":Identifier"], flat[target + ":Name"] = o.get("id", ""), o.get("name", "")
        pd = (g.get("plannedDates") or [{}])[0]
        flat["Planned Dates:Start Date"], flat["Planned Dates:End Date"] = pd.get("startDate"), pd.get("endDate")
        flat["Beneficiary Location:Country Code"] = (g.get("beneficiaryLocation") or [{}])[0].get("countryCode")
        check_grant(flat, "grant %d" % i)
    print("%d grants" % len(doc.get("grants", [])))
elif kind == "iati":
    ORDER = ["iati-identifier", "reporting-org", "title", "description", "participating-org", "other-identifier",
             "activity-status", "activity-date", "contact-info", "activity-scope", "recipient-country",
             "recipient-region", "location", "sector", "tag", "country-budget-items", "humanitarian-scope",
             "policy-marker", "collaboration-type", "default-flow-type", "default-finance-type", "default-aid-type",
             "default-tied-status", "budget", "planned-disbursement", "capital-spend", "transaction", "document-link",
             "related-activity", "legacy-data", "conditions", "result", "crs-add", "fss"]
    ORG_TYPES = {"10", "11", "15", "21", "22", "23", "24", "30", "40", "60", "70", "71", "72", "73", "80", "90"}
    TX_TYPES = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13"}
    root = ET.parse(path).getroot()
    if root.tag != "iati-activities" or root.get("version") != "2.03":
        bad("root is not iati-activities version 2.03")
    acts = root.findall("iati-activity")
    for a in acts:
        ident = a.findtext("iati-identifier") or ""
        where = "activity %s" % ident
        tags = [c.tag for c in a]
        pos = [ORDER.index(t) if t in ORDER else -1 for t in tags]
        if -1 in pos or pos != sorted(pos):
            bad("%s: elements out of the schema's order: %s" % (where, tags))
        rep = a.find("reporting-org")
        if rep is None or not ident.startswith(rep.get("ref", "?") + "-"):
            bad("%s: the identifier does not start with the reporting-org ref" % where)
        for t in ("title", "description"):
            if not a.findtext(t + "/narrative"):
                bad("%s: no %s narrative" % (where, t))
        for po in a.findall("participating-org"):
            if po.get("role") not in {"1", "2", "3", "4"} or po.get("type") not in ORG_TYPES:
                bad("%s: participating-org role %r type %r" % (where, po.get("role"), po.get("type")))
        if a.find("activity-status") is None or a.find("activity-status").get("code") not in set("123456"):
            bad("%s: activity-status" % where)
        dtypes = {d.get("type") for d in a.findall("activity-date")}
        if not dtypes & {"1", "2"} or dtypes - {"1", "2", "3", "4"}:
            bad("%s: activity-date types %s" % (where, sorted(dtypes)))
        for d in a.findall("activity-date"):
            date(d.get("iso-date"), where + " activity-date")
        rc = a.findall("recipient-country")
        if rc and sum(int(c.get("percentage", "0")) for c in rc) != 100:
            bad("%s: recipient-country percentages do not add up to 100" % where)
        for c in rc:
            if c.get("code") not in countries:
                bad("%s: recipient-country %r" % (where, c.get("code")))
        for b in a.findall("budget"):
            if b.get("type") not in {"1", "2"} or b.get("status") not in {"1", "2"}:
                bad("%s: budget type %r status %r" % (where, b.get("type"), b.get("status")))
            s, e = b.find("period-start").get("iso-date"), b.find("period-end").get("iso-date")
            date(s, where + " period-start")
            date(e, where + " period-end")
            try:
                days = (datetime.date.fromisoformat(e) - datetime.date.fromisoformat(s)).days
                if days < 0 or days > 366:
                    bad("%s: budget period %s..%s is not within one year" % (where, s, e))
            except ValueError:
                pass
            v = b.find("value")
            amount(v.text or "", v.get("currency"), where + " budget")
            date(v.get("value-date"), where + " budget value-date")
        for t in a.findall("transaction"):
            if t.find("transaction-type").get("code") not in TX_TYPES:
                bad("%s: transaction-type %r" % (where, t.find("transaction-type").get("code")))
            date(t.find("transaction-date").get("iso-date"), where + " transaction-date")
            v = t.find("value")
            amount(v.text or "", v.get("currency"), where + " transaction")
            date(v.get("value-date"), where + " transaction value-date")
    print("%d activities" % len(acts))
else:
    sys.exit("unknown kind " + kind)

for p in problems:
    print("problem: " + p)
sys.exit(1 if problems else 0)
