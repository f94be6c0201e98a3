"""Full-text search of cases: the index the services keep, the query the search page runs, and its CSV export.

The index (SearchDocument) holds a copy of each text of a case: the complainant's account, staff translations of
it, case notes and interview summaries. The services that write those texts call the index_* functions here, in
the same transaction (never a save signal). PostgreSQL stems each text with the text search configuration of its
language ('simple' where it has no stemmer) and answers websearch_to_tsquery across all configurations; SQLite
answers from an FTS5 table. Results only ever come from the cases `policies.visible_investigations` gives the
user, and snippets only from those cases.
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db import connection, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from complaints.anchors import anchor_heads
from complaints.chain import chain_head
from complaints.history import recorded
from complaints.models import Allegation, Disposition, Unit

from . import policies, queries
from .exceptions import InvalidInput, NotPermitted
from .models import Finding, Investigation, SavedSearch, SearchDocument
from .pagination import keyset_page

# Language code (as filers and translators give it) -> PostgreSQL text search configuration. Languages PostgreSQL
# has no stemmer for (Polish, Ukrainian, Korean, Chinese, Vietnamese, Urdu, Gujarati, Tagalog, ...) use 'simple':
# words as written, lower-cased. Migration 0008's generated column knows the same configuration names.
CONFIGS = {"en": "english", "es": "spanish", "ru": "russian", "ar": "arabic", "hi": "hindi", "fr": "french",
           "pt": "portuguese", "it": "italian", "de": "german"}
SIMPLE = "simple"
QUERY_CONFIGS = tuple(dict.fromkeys([*CONFIGS.values(), SIMPLE]))
MAX_QUERY_LENGTH = 200
# A bigger export is a request to narrow the search, not a file to hand around.
MAX_EXPORT_ROWS = 5000
# Around the words found in a snippet (private-use characters: never in the HTML we send).
MARK_START, MARK_END = "\ue000", "\ue001"


def config_for(language):
    """The text search configuration for a language code ('es', 'es-MX', 'zh_Hans' ...)."""
    base = re.split(r"[-_]", (language or "").strip().lower(), maxsplit=1)[0]
    return CONFIGS.get(base, SIMPLE)


# -- keeping the index (called by the services that write these texts) ---------------------------------------


def _index(investigation_id, kind, source_id, language, body):
    body = (body or "").strip()
    if not body:
        return None
    document, _created = SearchDocument.objects.update_or_create(
        kind=kind, source_id=source_id,
        defaults={"investigation_id": investigation_id, "language": language or "", "config": config_for(language),
                  "body": body},
    )
    return document


def index_account(investigation):
    complaint = investigation.complaint
    return _index(investigation.pk, SearchDocument.Kind.ACCOUNT, complaint.pk, complaint.language,
                  complaint.narrative)


def index_translation(investigation, translation):
    return _index(investigation.pk, SearchDocument.Kind.TRANSLATION, translation.pk, translation.language,
                  translation.text)


def index_note(note):
    # Notes are written in the staff's working language, which the index cannot know: English stemming.
    return _index(note.investigation_id, SearchDocument.Kind.NOTE, note.pk, "en", note.body)


def index_interview(interview):
    return _index(interview.investigation_id, SearchDocument.Kind.INTERVIEW, interview.pk, "en", interview.summary)


# -- what the user typed ---------------------------------------------------------------------------------------

TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
WORD = re.compile(r"\w+")


@dataclass
class Words:
    """A search in the web-search syntax: words and "quoted phrases" all found, `or` between alternatives,
    `-word` left out. `groups` are the alternatives, each a (wanted phrases, unwanted phrases) pair."""

    text: str
    groups: list = field(default_factory=list)

    def fts5(self):
        """The same search as an SQLite FTS5 expression, every phrase quoted (so no input is FTS5 syntax)."""
        def phrase(words):
            return '"' + " ".join(words) + '"'

        alternatives = []
        for wanted, unwanted in self.groups:
            expression = " AND ".join(phrase(p) for p in wanted)
            for p in unwanted:
                expression += " NOT " + phrase(p)
            alternatives.append(f"({expression})")
        return " OR ".join(alternatives)


def parse_words(text):
    """`text` as Words; InvalidInput (a translated sentence) when it cannot be a search."""
    text = (text or "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidInput(_("Search words can be at most %(n)d characters long.") % {"n": MAX_QUERY_LENGTH})
    if text.count('"') % 2:
        raise InvalidInput(_("A quotation mark is not closed: put phrases between two quotation marks."))
    groups, wanted, unwanted = [], [], []
    for match in TOKEN.finditer(text):
        negated, quoted, bare = match.groups()
        if bare is not None and bare.lower() == "or":
            groups.append((wanted, unwanted))
            wanted, unwanted = [], []
            continue
        if bare is not None and bare.startswith("-"):
            negated, bare = "-", bare[1:]
        words = WORD.findall(quoted if quoted is not None else bare)
        if words:
            (unwanted if negated else wanted).append(words)
    groups.append((wanted, unwanted))
    groups = [(w, u) for w, u in groups if w]
    if not groups:
        raise InvalidInput(_("Give at least one word to look for (a word after a minus sign is left out)."))
    return Words(text=text, groups=groups)


# -- finding cases ---------------------------------------------------------------------------------------------


def filtered_cases(user, params):
    """The investigations `user` may see that meet every filter of `params` (the search form's cleaned data)."""
    legacy = {key: params.get(key) for key in ("reference", "officer", "name", "status", "received_from",
                                                "received_to")}
    legacy["category"] = params["category"].code if params.get("category") else ""
    qs = queries.search(user, legacy)
    if params.get("investigator"):
        qs = qs.filter(investigator=params["investigator"])
    if params.get("unit"):
        units = Unit.objects.filter(pk=params["unit"].pk) | Unit.objects.filter(parent=params["unit"])
        qs = qs.filter(complaint_id__in=Allegation.objects.filter(officer__unit__in=units).values("complaint_id"))
    if params.get("district"):
        qs = qs.filter(complaint__district__iexact=params["district"].strip())
    finding = params.get("finding")
    if isinstance(finding, Disposition):
        qs = qs.filter(pk__in=Finding.objects.filter(disposition=finding).values("investigation_id"))
    return qs


def _sql(queryset):
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return sql, list(params)


def _pg_tsquery():
    return " || ".join(f"websearch_to_tsquery('{config}', %s)" for config in QUERY_CONFIGS)


def ranked_ids(cases, words, limit):
    """Ids of `cases` with a text that matches `words`, best match first (at most `limit`)."""
    within, params = _sql(cases)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH q AS (SELECT ({_pg_tsquery()}) AS query) "
                "SELECT d.investigation_id FROM investigations_searchdocument d, q "
                f"WHERE d.document @@ q.query AND d.investigation_id IN ({within}) "
                "GROUP BY d.investigation_id ORDER BY MAX(ts_rank(d.document, q.query)) DESC, d.investigation_id DESC "
                "LIMIT %s",
                [words.text] * len(QUERY_CONFIGS) + params + [limit])
        else:
            cursor.execute(
                "SELECT d.investigation_id FROM investigations_search_fts f "
                "JOIN investigations_searchdocument d ON d.id = f.rowid "
                f"WHERE investigations_search_fts MATCH %s AND d.investigation_id IN ({within}) "
                "GROUP BY d.investigation_id ORDER BY MIN(f.rank), d.investigation_id DESC LIMIT %s",
                [words.fts5()] + params + [limit])
        return [row[0] for row in cursor.fetchall()]


def _marked(text):
    """Escaped `text` with the words found (between the snippet markers) in <mark>."""
    html = escape(text)
    html = re.sub(f"{MARK_START}(.*?){MARK_END}", r"<mark>\1</mark>", html, flags=re.S)
    return mark_safe(html.replace(MARK_START, "").replace(MARK_END, ""))  # noqa: S308 (escaped above)


def snippets(ids, words):
    """{investigation id: (kind label, snippet HTML)} of the best matching text of each case in `ids`.

    Only call with ids already limited to cases the user may see: the snippet is the case's own text.
    """
    if not ids:
        return {}
    found = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            options = (f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, MaxFragments=2, "
                       'FragmentDelimiter=" … "')
            cursor.execute(
                f"WITH q AS (SELECT ({_pg_tsquery()}) AS query) "
                "SELECT DISTINCT ON (d.investigation_id) d.investigation_id, d.kind, "
                "ts_headline(d.config::regconfig, d.body, q.query, %s) FROM investigations_searchdocument d, q "
                "WHERE d.investigation_id = ANY(%s) AND d.document @@ q.query "
                "ORDER BY d.investigation_id, ts_rank(d.document, q.query) DESC, d.id",
                [words.text] * len(QUERY_CONFIGS) + [options, list(ids)])
        else:
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(
                f"SELECT d.investigation_id, d.kind, snippet(investigations_search_fts, 0, %s, %s, '…', 24) "
                "FROM investigations_search_fts f JOIN investigations_searchdocument d ON d.id = f.rowid "
                f"WHERE investigations_search_fts MATCH %s AND d.investigation_id IN ({marks}) "
                "ORDER BY d.investigation_id, f.rank, d.id",
                [MARK_START, MARK_END, words.fts5(), *ids])
        for investigation_id, kind, text in cursor.fetchall():
            if investigation_id not in found:
                found[investigation_id] = (SearchDocument.Kind(kind).label, _marked(text))
    return found


class RankedPage(Paginator):
    """Pages of a ranked list of case ids; each page holds the cases, with `matched_in` and `snippet` set."""

    def __init__(self, ids, per_page, words):
        super().__init__(ids, per_page)
        self.words = words

    def _get_page(self, object_list, number, paginator):
        ids = list(object_list)
        cases = {c.pk: c for c in queries.with_list_data(Investigation.objects.filter(pk__in=ids))}
        found = snippets(ids, self.words)
        rows = []
        for pk in ids:
            case = cases[pk]
            case.matched_in, case.snippet = found.get(pk, ("", ""))
            rows.append(case)
        return super()._get_page(rows, number, paginator)


def search_page(user, params, query, per_page):
    """One page of the search (`query`: the request's GET): ranked by how well the words match when words are
    given (pages by number), else newest first (pages by key, like every staff list)."""
    cases = filtered_cases(user, params)
    words = params.get("words")
    if not words:
        page = keyset_page(cases, query, per_page)
        page.rows = queries.list_rows(page.object_list)
        return page
    number = query.get("page")
    limit = max(MAX_EXPORT_ROWS, (int(number) if str(number).isdigit() else 1) * per_page)
    page = RankedPage(ranked_ids(cases, words, limit), per_page, words).get_page(number)
    for attribute, step in (("previous_query", -1), ("next_query", 1)):
        linked = query.copy()
        linked["page"] = max(1, page.number + step)
        setattr(page, attribute, linked.urlencode())
    page.rows = queries.list_rows(page.object_list)
    return page


def found_cases(user, params, limit=MAX_EXPORT_ROWS + 1):
    """Every case the search finds, in the order the page shows them (at most `limit`)."""
    cases = filtered_cases(user, params)
    words = params.get("words")
    if not words:
        return list(queries.with_allegations(cases)[:limit])
    ids = ranked_ids(cases, words, limit)
    by_id = {c.pk: c for c in queries.with_allegations(Investigation.objects.filter(pk__in=ids))}
    return [by_id[pk] for pk in ids]


# -- saved searches ----------------------------------------------------------------------------------------------


def saved_searches(user):
    return SavedSearch.objects.filter(owner=user, hidden_at__isnull=True)


def save_search(*, by, name, query):
    """Keep the search `query` (the page's query string) under `name` for `by`."""
    if not policies.can_search(by):
        raise NotPermitted(_("Your role does not search cases."))
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Give the search a name."))
    if not (query or "").strip():
        raise InvalidInput(_("There is nothing to save: search first, then save the search."))
    with transaction.atomic(), recorded(by=by, reason="search saved"):
        saved = SavedSearch(owner=by, name=name[:100], query=query)
        saved.full_clean()
        saved.save()
    return saved


def hide_saved_search(saved, *, by):
    """Take a saved search off its owner's list; it stays in the database and its history."""
    if saved.owner_id != by.pk:
        raise NotPermitted(_("Only the person who saved a search may remove it."))
    with transaction.atomic(), recorded(by=by, reason="saved search removed from the list"):
        saved.hidden_at = timezone.now()
        saved.save()
    return saved


# -- export ------------------------------------------------------------------------------------------------------


def _cell(value):
    """A CSV cell a spreadsheet shows as text: formulas (=, +, -, @ at the start) are neutralised."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _findings(case):
    approved = {f.allegation_id: f for f in case.findings.all() if f.stage == Finding.Stage.APPROVED}
    recommended = {f.allegation_id: f for f in case.findings.all() if f.stage == Finding.Stage.RECOMMENDED}
    return approved, recommended


def render_csv(cases, *, words=None):
    """The cases as CSV bytes (UTF-8 with a byte-order mark, so spreadsheets read every script)."""
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(cases, "findings__disposition")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header = [_("Reference"), _("Received"), _("Status"), _("Investigator"), _("District"), _("Allegations"),
              _("Findings"), _("Phase due"), _("Case due")]
    found = snippets([c.pk for c in cases], words) if words else {}
    if words:
        header.append(_("Found in"))
    writer.writerow(header)
    for case in cases:
        complaint = case.complaint
        approved, recommended = _findings(case)
        allegations, findings = [], []
        for allegation in complaint.allegations.all():
            officer = str(allegation.officer) if allegation.officer else _("unidentified")
            allegations.append(f"{allegation.category.agency_code or allegation.category.code}: {officer}")
            finding = approved.get(allegation.pk) or recommended.get(allegation.pk)
            if finding:
                findings.append(f"{officer}: {finding.disposition}")
        row = [complaint.reference, complaint.received_at.date().isoformat(), case.get_state_display(),
               case.investigator.get_username() if case.investigator else "", complaint.district,
               "; ".join(allegations), "; ".join(findings),
               case.phase_due_at.date().isoformat() if case.phase_due_at else "",
               case.due_at.date().isoformat() if case.due_at else ""]
        if words:
            row.append(found.get(case.pk, ("", ""))[0])
        writer.writerow([_cell(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode()


def export_search_results(user, params, *, query_string):
    """(CSV bytes, filename, export-log row) of every case the search finds for `user`; refuses over the cap."""
    from django.apps import apps

    if not policies.can_export_search_results(user):
        raise NotPermitted(_("Your role does not export search results."))
    cases = found_cases(user, params)
    if len(cases) > MAX_EXPORT_ROWS:
        raise InvalidInput(_("The search finds more than %(n)d cases: narrow it down to export it.")
                           % {"n": MAX_EXPORT_ROWS})
    head = chain_head()
    content = render_csv(cases, words=params.get("words"))
    filename = f"case-search-{timezone.localtime():%Y%m%d-%H%M%S}.csv"
    export_log = apps.get_model("referrals", "ExportLog")
    reason = f"search results exported: {len(cases)} cases ({query_string[:500]})"
    with transaction.atomic(), recorded(by=user, reason=reason):
        log = export_log.objects.create(
            kind="search", format="csv", filename=filename, size=len(content),
            sha256=hashlib.sha256(content).hexdigest(), chain_head=head, exported_by=user,
        )
        transaction.on_commit(lambda: anchor_heads(reason=f"search export {log.pk}"), robust=True)
    return content, filename, log
