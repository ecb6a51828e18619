"""Schemathesis hooks for scripts/fuzz-openapi.sh.

Schemathesis judges an answer by its status alone: a valid request answered 400, 412 or 422
is "rejected", any 5xx is a "server error". Some of those are the contract (DESIGN.md section
5, docs/http-conventions.md), given for what is stored, not for the request's form, and the
document names each on the operation. Only those are dropped here, each by its problem type
and what the request sent; the run's summary counts them as "dropped by filter_failure". A
400 that calls a documented-valid request malformed (validation, invalid-header, ...) is
never dropped: that is the document and the validation disagreeing.
"""

import atexit
import collections
import json
import os

import schemathesis

PROBLEM_PREFIX = "urn:backoffice:problem:"


def problem_of(response):
    try:
        body = json.loads(response.content)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def sent(case):
    query = case.query or {}
    headers = {name.lower() for name in (case.headers or {})}
    return query, headers


def documented_400(case):
    response = case.operation.definition.raw.get("responses", {}).get("400", {})
    return response.get("description", "")


def contract_answer(failure, case, response):
    """True when the failure is an answer the contract requires for what is stored."""
    problem = problem_of(response)
    slug = str(problem.get("type", "")).removeprefix(PROBLEM_PREFIX)
    query, headers = sent(case)
    status = response.status_code
    if failure.code == "ST101":
        # consistentWith not reached within CONSISTENCY_WAIT_MS, a position no write returned
        # included: DESIGN.md section 5 makes it a 503 with Retry-After.
        return status == 503 and slug == "not-yet-consistent"
    if failure.code == "ST202":
        if status == 412:
            return slug == "precondition-failed" and "if-match" in headers
        if status == 422:
            return slug == "idempotency-key-reused" and "idempotency-key" in headers
        if status == 400 and slug == "invalid-query":
            # A cursor is an opaque token: only one the service issued is valid.
            return "cursor" in query
        if status == 400 and slug == "validation":
            # The one rule between two parameters, stated in the description of `from`.
            errors = problem.get("errors") or []
            return bool(errors) and all(
                error == {"path": "query.from", "message": "must not be after to"}
                for error in errors
            )
        if status == 400:
            # A decider's refusal (an account that does not exist, a currency's decimals),
            # named in the operation's documented 400.
            return f"`{slug}`" in documented_400(case) and slug not in (
                "validation",
                "invalid-header",
                "bad-request",
                "malformed-json",
            )
        return False
    if failure.code == "ST201":
        # Node refused the request before the service saw it: a refusal all the same.
        return status in (408, 431)
    # An unknown method on a known path is a 405 with Allow (ST204 holds it to that), asserted
    # in test/http/conventions.test.ts ("unknown routes"): nothing to drop.
    return False


# What was dropped, by failure code, status and problem type, for the script to print.
DROPPED = collections.Counter()


@atexit.register
def write_dropped():
    path = os.environ.get("FUZZ_DROPPED_SUMMARY")
    if path:
        with open(path, "w", encoding="utf-8") as summary:
            for (code, status, slug), count in sorted(DROPPED.items()):
                summary.write(f"{count:6d}  {code} {status} {slug}\n")


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if not contract_answer(failure, case, response):
        return True
    slug = str(problem_of(response).get("type", "")).removeprefix(PROBLEM_PREFIX)
    DROPPED[(failure.code, response.status_code, slug or "(no body)")] += 1
    return False
