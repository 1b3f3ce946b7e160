"""The resident data link (docs/resident-link.md): receive batches, validate and apply them as one
transaction in a job, keep generations, and restore any generation in the link format.

Modules: ``spec`` (columns and rules, pure), ``archive`` (ZIP and manifest), ``receive`` (store a batch,
check sequence and checksums, queue it), ``staging`` (decode and COPY into temporary tables),
``validate`` (set-based checks in SQL), ``apply`` (merge into the 中間DB, generations), ``export``
(restore), ``geocode`` (位置参照情報), ``tokens`` (link API tokens).

May import: core, audit, jobs, residents.models, residents.rules, tenants.rules.
"""
