"""Script-injection payloads and a hostile copy of the sample workspace (for test_injection_outputs.py).

Every payload, if its script ever ran, sets ``window.__pwned_N`` or a ``PWNED-N`` document
title (``N`` is the payload's number), so one look at the page tells whether anything executed.
"""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path
from typing import Any

import yaml


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _payloads() -> list[str]:
    raw = [
        "<script>window.__pwned_{n}=1</script>",
        '<img src=x onerror="window.__pwned_{n}=1">',
        '<svg onload="window.__pwned_{n}=1"><circle r=1></circle></svg>',
        "<svg><script>window.__pwned_{n}=1</script></svg>",
        "[click me](javascript:window.__pwned_{n}=1)",
        '<a href="javascript:window.__pwned_{n}=1">raw link</a>',
        "[data link](data:text/html;base64,{b64})",
        '<a href="data:text/html,<script>opener.__pwned_{n}=1</script>">data</a>',
        '<iframe srcdoc="<script>parent.__pwned_{n}=1</script>"></iframe>',
        '" onmouseover="window.__pwned_{n}=1" x="',
        "' onfocus='window.__pwned_{n}=1' autofocus='",
        "</textarea><script>window.__pwned_{n}=1</script>",
        "JINJA{{{{7*191}}}} {{% for x in [1] %}}LOOP{{{{x}}}}{{% endfor %}} {{{{ config }}}}",
        "<style>@import url(https://evil.example/{n}.css); body{{background:url(https://evil.example/{n}.png)}}</style>",
        '<a href="&#106;avascript:window.__pwned_{n}=1">entity link</a>',
        '<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned_{n}=1">',
        '<base href="https://evil.example/{n}/">',
        '<meta http-equiv="refresh" content="0;url=javascript:window.__pwned_{n}=1">',
        '<form action="javascript:window.__pwned_{n}=1"><button>go</button></form>',
        '<object data="data:text/html;base64,{b64}"></object>',
        '<embed src="data:text/html;base64,{b64}">',
        "\\u003cscript\\u003ewindow.__pwned_{n}=1\\u003c/script\\u003e \\x3cimg src=x onerror=window.__pwned_{n}=1\\x3e",
        "\uff1cscript\uff1ewindow.__pwned_{n}=1\uff1c/script\uff1e \u2028\u2029",
        "<scr<script>ipt>window.__pwned_{n}=1</scr</script>ipt>",
        '<IMG SRC="JaVaScRiPt:window.__pwned_{n}=1"><a href=" jav&#x09;ascript:window.__pwned_{n}=1">tab</a>',
        '<details open ontoggle="window.__pwned_{n}=1"><summary>s</summary></details>',
        '<!--<img src="--><img src=x onerror="window.__pwned_{n}=1//">',
        "]]><script>window.__pwned_{n}=1</script><![CDATA[",
        "</script><script>window.__pwned_{n}=1</script><!--",
        "\"; window.__pwned_{n}=1; //'; document.title='PWNED-{n}'; //`${{document.title='PWNED-{n}'}}`",
        "<javascript:window.__pwned_{n}=1> and [ref link][evil{n}]\n\n[evil{n}]: javascript:window.__pwned_{n}=1",
        '![pic" onerror="window.__pwned_{n}=1](x) ![pic](javascript:window.__pwned_{n}=1)',
        '<input autofocus onfocus="document.title=\'PWNED-{n}\'"><video><source onerror="window.__pwned_{n}=1"></video>',
        "key: 'quoted' \"double\" # not a comment &anchor *alias !!python/object:os.system ['id'] window.__pwned_{n}=1",
    ]
    out = []
    for i, p in enumerate(raw, start=1):
        inner = f"<script>parent.__pwned_{i}=1;opener&&(opener.__pwned_{i}=1)</script>"
        out.append(p.format(n=i, b64=_b64(inner)))
    return out


PAYLOADS: list[str] = _payloads()
#: what a Jinja evaluation of payload 13 would print
TEMPLATE_EVALUATED = ("JINJA1337", "LOOP1")
MARKDOWN = "\n\n".join(PAYLOADS)  # block-level constructs (reference links, raw HTML blocks) need paragraphs
INLINE = " ".join(p.replace("\n", " ") for p in PAYLOADS)
MODULE_ID = "injection-probe"
CREDENTIAL_ID = "injection-probe-credential"
SAMPLE_MODULES = ["reading-bar-charts", "line-charts-over-time"]  # no code blocks: nothing executes


def hostile_module() -> dict[str, Any]:
    """A module with every payload in every learner-visible text field of every block type."""
    vtt = "media/axis-start-demo.en.vtt"
    blocks: list[dict[str, Any]] = [
        {"id": "text", "type": "text", "body": MARKDOWN},
        {"id": "callout", "type": "callout", "variant": "warning", "title": INLINE, "body": MARKDOWN},
        {
            "id": "video",
            "type": "video",
            "src": "media/axis-start-demo.webm",
            "title": INLINE,
            "duration_s": 12,
            "poster": "media/axis-start-demo-poster.png",
            "transcript": MARKDOWN,
            "captions": [{"src": vtt, "language": "en", "label": p.replace("\n", " ")} for p in PAYLOADS[:8]],
        },
        {
            "id": "quiz",
            "type": "quiz",
            "question": MARKDOWN,
            "explanation": MARKDOWN,
            "multiple": True,
            "choices": [
                {"id": f"c{i}", "text": p, "correct": i % 2 == 0, "feedback": p} for i, p in enumerate(PAYLOADS)
            ],
        },
        {
            "id": "quiz-one",
            "type": "quiz",
            "question": INLINE,
            "explanation": INLINE,
            "choices": [
                {"id": "right", "text": INLINE, "correct": True, "feedback": MARKDOWN},
                {"id": "wrong", "text": MARKDOWN, "feedback": INLINE},
            ],
        },
        {
            "id": "cards",
            "type": "flashcards",
            "title": INLINE,
            "cards": [{"id": f"k{i}", "front": p, "back": PAYLOADS[-1 - i]} for i, p in enumerate(PAYLOADS)],
        },
        {
            "id": "panels",
            "type": "accordion",
            "title": INLINE,
            "items": [{"id": f"p{i}", "title": p, "body": p} for i, p in enumerate(PAYLOADS)],
        },
        {
            "id": "todo",
            "type": "checklist",
            "title": INLINE,
            "items": [{"id": f"t{i}", "text": p} for i, p in enumerate(PAYLOADS)],
        },
        {
            "id": "code",
            "type": "code",
            "caption": MARKDOWN,
            "source": f"print({INLINE!r})",
            "outputs": [
                {"mime": "text/plain", "data": MARKDOWN},
                {"mime": "text/html", "data": MARKDOWN},
                {
                    "mime": "image/svg+xml",
                    "data": '<svg xmlns="http://www.w3.org/2000/svg" '
                    'onload="window.__pwned_99=1"><script>window.__pwned_99=1</script></svg>',
                },
            ],
        },
    ]
    blocks += [
        {"id": f"img{i}", "type": "image", "src": "media/chart-chooser.svg", "alt": p.replace("\n", " "), "caption": p}
        for i, p in enumerate(PAYLOADS)
    ]
    return {
        "id": MODULE_ID,
        "title": INLINE,
        "summary": INLINE,
        "objectives": [INLINE, *PAYLOADS[:3]],
        "audience": INLINE,
        "skills": ["data-literacy.charts"],
        "pass_mark": 0.5,
        "blocks": blocks,
    }


def hostile_credential() -> dict[str, Any]:
    """A credential with every payload in every text a learner or verifier reads."""
    return {
        "id": CREDENTIAL_ID,
        "title": INLINE,
        "summary": INLINE,
        "issuer": {"name": INLINE, "url": "https://learning.northwind.example", "email": "a@b.example"},
        "required": [MODULE_ID, SAMPLE_MODULES[0]],
        "electives": [{"id": "pick", "title": INLINE, "choose": 1, "modules": [SAMPLE_MODULES[1]]}],
        "prerequisites": {MODULE_ID: [SAMPLE_MODULES[0]]},
        "criteria": {"narrative": INLINE, "min_score": 0.5},
        "skills": [{"name": p.replace("\n", " "), "framework": INLINE, "code": str(i)} for i, p in enumerate(PAYLOADS)],
        "european": {
            "learning_outcomes": PAYLOADS,
            "workload": {"hours": 1.5, "ects": 0.05},
            "level": {"eqf": 4, "description": INLINE},
            "assessment": {"type": INLINE},
            "participation": "online",
            "quality_assurance": INLINE,
            "stackability": INLINE,
        },
    }


def build_hostile_workspace(sample: Path, dest: Path) -> Path:
    """Copy the sample workspace to ``dest`` and add the hostile module and credential (and title, issuer)."""
    shutil.copytree(sample, dest, ignore=shutil.ignore_patterns(".mblib"))
    dump = {"allow_unicode": True, "sort_keys": False, "width": 10_000}
    (dest / "modules" / f"{MODULE_ID}.yaml").write_text(yaml.safe_dump(hostile_module(), **dump), encoding="utf-8")
    (dest / "credentials" / f"{CREDENTIAL_ID}.yaml").write_text(
        yaml.safe_dump(hostile_credential(), **dump), encoding="utf-8"
    )
    toml = (dest / "mblib.toml").read_text(encoding="utf-8")
    toml = toml.replace('title = "Data Literacy at Work"', f"title = {json.dumps(INLINE)}")
    toml = toml.replace('name = "Northwind Learning Academy"', f"name = {json.dumps(INLINE)}")
    (dest / "mblib.toml").write_text(toml, encoding="utf-8")
    return dest


#: What a page shows after interaction: markers set, dangerous markup left in the DOM, inline scripts.
DOM_PROBE = r"""() => {
  const markers = Object.keys(window).filter(k => k.startsWith('__pwned'));
  if (/^PWNED-\d+$/.test(document.title.trim())) markers.push('title: ' + document.title);
  const bad = [];
  const urlAttrs = new Set(['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'poster', 'background',
                            'ping', 'srcset', 'codebase', 'cite', 'content']);
  const tip = document.getElementById('vg-tooltip-element');
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (['iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'portal'].includes(tag))
      bad.push('<' + tag + '>');
    if (tag === 'meta' && (el.getAttribute('http-equiv') || '').toLowerCase() === 'refresh') bad.push('<meta refresh>');
    if (tag === 'form' && el.hasAttribute('action')) bad.push('<form action>');
    if (tag === 'link' && !/^(icon|stylesheet)$/.test(el.getAttribute('rel') || '')) bad.push('<link rel>');
    if (tag === 'script' && el.hasAttribute('src')) bad.push('<script src>');
    for (const a of el.attributes) {
      const n = a.name.toLowerCase();
      if (n.startsWith('on') || n === 'srcdoc' || n === 'formaction') bad.push(tag + '[' + n + ']');
      const v = a.value.replace(/[\u0000-\u0020\u007f-\u009f]/g, '').toLowerCase();
      if (urlAttrs.has(n) && /(^|url=)(javascript|vbscript|data:text\/html|data:application)/.test(v))
        bad.push(tag + '[' + n + '=' + v.slice(0, 40) + ']');
    }
  }
  const scripts = [...document.querySelectorAll('script')]
    .filter(s => !/^application\/(ld\+)?json$/i.test(s.type || ''))
    .map(s => s.textContent);
  const meta = document.querySelector('meta[http-equiv="Content-Security-Policy" i]');
  return {markers, bad, scripts, csp: meta ? meta.content : null, title: document.title,
          text: document.body ? document.body.textContent : '', tooltip: tip ? tip.innerHTML : ''};
}"""

#: Interact a little: tick every choice and checklist item, check every quiz, flip every card,
#: open every panel and transcript, focus every focusable element.
INTERACT = r"""() => {
  document.querySelectorAll('input[type=checkbox], input[type=radio]').forEach(e => e.click());
  document.querySelectorAll('button.mb-check').forEach(e => e.click());
  document.querySelectorAll('button.mb-card').forEach(e => e.click());
  document.querySelectorAll('details:not([open]) > summary').forEach(e => e.click());
  document.querySelectorAll('a, button, input, [tabindex]').forEach(e => { try { e.focus(); } catch (x) {} });
  return document.querySelectorAll('.mb-feedback').length;
}"""
