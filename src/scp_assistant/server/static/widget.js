/* SCP Assistant – chat component. One file for the web chat (data-mode="inline") and the portal widget.
 *
 * Embed: <script src="https://HOST/widget.js" data-title="Fragen zum Startchancen-Programm"
 *                 data-position="right" data-open="false" data-lang="de" data-accent="#005a9c" defer></script>
 * Everything renders inside a Shadow DOM; text from the server is only ever inserted as text (no innerHTML).
 * The conversation survives a reload and a move to another page of the portal in this browser tab
 * (sessionStorage: the visible history together with its session, gone when the tab closes);
 * data-remember="off" keeps nothing.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var cfg = script.dataset || {};
  var API = (cfg.api || new URL(script.src, document.baseURI).origin).replace(/\/$/, "");
  var MODE = cfg.mode === "inline" ? "inline" : "widget";
  var LANG = cfg.lang === "en" ? "en" : "de";
  var ACCENT = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(cfg.accent || "") ? cfg.accent : "#005a9c";  // as documented
  var MAX_CHARS = Number(cfg.maxChars) > 0 ? Number(cfg.maxChars) : 2000;  // the server's default limit
  // what may be sent: the server counts a pasted e-mail without its greeting and signature, so a longer paste may
  // still fit; it says so when it does not (or when the request is too large), and the text comes back to the box
  var MAX_SENT = MAX_CHARS * 4;
  // how long an answer may go without a sign of life (seconds) before the chat says so and offers a retry
  // (at most what a browser timer can hold, about 24 days: a larger delay would fire at once)
  var STALL_MS = Math.min((Number(cfg.timeout) > 0 ? Number(cfg.timeout) : 60) * 1000, 2147483647);
  var SLOW_MS = Math.min(8000, STALL_MS / 3);  // no sign of an answer yet: say that it is on its way
  var EMAIL = /([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/;  // split keeps the address
  // the conversation of this tab, kept where the page's own scripts keep theirs for the tab: sessionStorage of the
  // portal's origin, one entry per server and kind of chat; never localStorage or a cookie
  var REMEMBER = cfg.remember !== "off";
  var STORE_KEY = "scp-assistant:" + API + ":" + MODE + (MODE === "inline" ? ":" + (cfg.target || "scp-assistant") : "");
  var KEEP = 20;  // answers kept for the view; the server reads a follow-up against its own last turns anyway
  var REDUCED = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  var T = {
    de: {
      title: "Fragen zum Startchancen-Programm", open: "Assistent öffnen", close: "Schließen",
      label: "Ihre Frage", placeholder: "Ihre Frage …", send: "Fragen",
      noticeShort: "KI-Assistent · keine verbindliche Auskunft · keine personenbezogenen Daten",
      notice: "KI-Assistent: Antworten werden automatisch aus den Programmunterlagen zusammengestellt. Sie sind " +
        "keine verbindlichen Förderentscheidungen. Bitte keine personenbezogenen Daten eingeben.",
      newChat: "Neue Unterhaltung", answerReady: "Antwort: ", retry: "Erneut versuchen",
      wholeMessage: "Ganze Nachricht zeigen", shorterMessage: "Nachricht kürzer zeigen",
      toTop: "Zur Kopfzeile des Chats",
      yourQuestion: "Ihre Frage: ", theAnswer: "Antwort des Assistenten: ",
      interrupted: "Die Antwort wurde unterbrochen und ist unvollständig. Bitte versuchen Sie es erneut.",
      offline: "Der Assistent ist gerade nicht erreichbar. Bitte versuchen Sie es in einem Moment erneut.",
      stalled: "Der Assistent antwortet gerade nicht. Bitte versuchen Sie es in einem Moment erneut.",
      blocked: "Der Assistent ist für diese Seite nicht freigeschaltet. " +
        "Bitte wenden Sie sich an die Betreiber dieser Seite.",
      empty: "Bitte geben Sie zuerst eine Frage ein.",
      tooLong: function (n) { return "Die Frage ist zu lang (" + n + " Zeichen, höchstens " + MAX_CHARS + "). Bitte kürzen Sie sie auf die eigentliche Frage: Anrede, Vorgeschichte und Signatur braucht der Assistent nicht."; },
      long: function (n) { return "Die Nachricht ist lang (" + n + " Zeichen). Anrede und Signatur lässt der Assistent weg; bleiben mehr als " + MAX_CHARS + " Zeichen, sagt er es, und der Text kommt hierher zurück."; },
      choose: "Bitte wählen (optional)",
      months: ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
        "November", "Dezember"],
      unsent: "Ihre Frage war noch nicht beantwortet, als die Seite verlassen oder neu geladen wurde. Sie steht wieder im Eingabefeld: Senden Sie sie erneut.",
      waiting: "Ihre Frage wartet", resumable: "Ihre Unterhaltung geht hier weiter",
      examples: "Beispielfragen", searched: "Gesucht wurde: ", withTopic: "Bezogen auf die vorige Frage: ",
      andTopic: " – bezogen auf die vorige Frage: ",
      sources: "Quellen", source: "Quelle",
      stand: "Stand", undated: "undatiert", page: "Folie/Seite", openOriginal: "Original öffnen",
      openPage: "PDF an dieser Seite öffnen", helpful: "Hilfreich", notHelpful: "Nicht hilfreich",
      copy: "Antwort mit Quellen kopieren", copied: "Antwort mit Quellen kopiert.", asked: "Frage: ",
      copyPlain: "Antwort kopieren", copiedPlain: "Antwort kopiert.",
      retrieved: function (d) { return "Abgerufen am " + d.toLocaleDateString("de-DE", { day: "2-digit", month: "2-digit",
        year: "numeric" }) + " beim SCP Assistant (Antwort aus den Programmunterlagen; verbindlich sind die Quellen)."; },
      copyFailed: "Kopieren ging nicht. Bitte markieren Sie die Antwort und kopieren Sie sie selbst.",
      reason: "Was war nicht gut?", comment: "Kommentar (optional, ohne personenbezogene Daten)",
      sendFeedback: "Rückmeldung senden", thanks: "Danke für Ihre Rückmeldung.",
      feedbackFailed: "Die Rückmeldung konnte nicht gesendet werden. Bitte versuchen Sie es erneut.",
      busy: "Bitte warten Sie, bis die Antwort da ist; Ihre Frage bleibt im Eingabefeld.", thinking: "Suche in den Unterlagen …",
      slow: "Suche in den Unterlagen … Das dauert länger als sonst. Die Antwort erscheint hier, sobald sie da ist.",
      busyRetry: "Bitte warten Sie, bis die laufende Antwort da ist, und versuchen Sie es dann erneut.",
      refusal: { not_covered: "Nicht in den Programmunterlagen", out_of_scope: "Außerhalb des Themas",
        adversarial: "Nicht möglich", needs_context: "Worauf bezieht sich die Frage?" },
      error: "Es ist ein Fehler aufgetreten. Bitte versuchen Sie es erneut.",
      reasons: [["falsch", "Antwort ist falsch"], ["unvollständig", "Antwort ist unvollständig"],
        ["quelle-falsch", "Quelle passt nicht"], ["veraltet", "Information ist veraltet"],
        ["sonstiges", "Etwas anderes"]],
      exampleList: ["Was wird aus Säule I gefördert?", "Dürfen wir aus dem Chancenbudget Mobiliar kaufen?",
        "Wer begleitet die Schulträger im Startchancen-Programm?", "Wie viele Schulen nehmen in Rheinland-Pfalz teil?"]
    },
    en: {
      title: "Questions on the Startchancen programme", open: "Open assistant", close: "Close",
      label: "Your question", placeholder: "Your question …", send: "Ask",
      noticeShort: "AI assistant · not binding · no personal data",
      notice: "AI assistant: answers are compiled automatically from the programme documents (in German). They are " +
        "not binding funding decisions. Please do not enter personal data.",
      newChat: "New conversation", answerReady: "Answer: ", retry: "Try again",
      wholeMessage: "Show the whole message", shorterMessage: "Show the message shorter",
      toTop: "To the chat's header",
      yourQuestion: "Your question: ", theAnswer: "The assistant's answer: ",
      interrupted: "The answer was cut off and is incomplete. Please try again.",
      offline: "The assistant cannot be reached right now. Please try again in a moment.",
      stalled: "The assistant is not responding right now. Please try again in a moment.",
      blocked: "The assistant is not enabled for this site. Please contact the site's operators.",
      empty: "Please enter a question first.",
      tooLong: function (n) { return "The question is too long (" + n + " characters, at most " + MAX_CHARS + "). Please shorten it to the question itself: greeting, background and signature are not needed."; },
      long: function (n) { return "The message is long (" + n + " characters). The assistant leaves out greeting and signature; if more than " + MAX_CHARS + " characters remain, it says so and the text comes back here."; },
      choose: "Please choose (optional)",
      months: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December"],
      unsent: "Your question had not been answered when the page was left or reloaded. It is back in the box: please send it again.",
      waiting: "Your question is waiting", resumable: "Your conversation continues here",
      examples: "Example questions", searched: "Searched for: ", withTopic: "Read with the previous question's topic: ",
      andTopic: " – read with the previous question's topic: ",
      sources: "Sources", source: "Source",
      stand: "As of", undated: "undated", page: "Slide/page", openOriginal: "Open original",
      openPage: "Open PDF at this page", helpful: "Helpful", notHelpful: "Not helpful",
      copy: "Copy answer with sources", copied: "Answer and sources copied.", asked: "Question: ",
      copyPlain: "Copy answer", copiedPlain: "Answer copied.",
      retrieved: function (d) { return "Retrieved on " + d.toLocaleDateString("en-GB", { day: "numeric", month: "long",
        year: "numeric" }) + " from the SCP Assistant (answer from the programme documents; the sources are binding)."; },
      copyFailed: "Copying did not work. Please select the answer and copy it yourself.",
      reason: "What was wrong?", comment: "Comment (optional, no personal data)", sendFeedback: "Send feedback",
      thanks: "Thank you for your feedback.",
      feedbackFailed: "The feedback could not be sent. Please try again.",
      busy: "Please wait for the answer; your question stays in the box.", thinking: "Searching the documents …",
      slow: "Searching the documents … This takes longer than usual. The answer appears here as soon as it arrives.",
      busyRetry: "Please wait for the answer on its way, then try again.",
      refusal: { not_covered: "Not in the programme documents", out_of_scope: "Out of scope",
        adversarial: "Not possible", needs_context: "What does the question refer to?" },
      error: "Something went wrong. Please try again.",
      reasons: [["falsch", "Answer is wrong"], ["unvollständig", "Answer is incomplete"],
        ["quelle-falsch", "Source does not fit"], ["veraltet", "Outdated"], ["sonstiges", "Something else"]],
      exampleList: ["What does pillar I fund?", "Who supports the school authorities?"]
    }
  }[LANG];
  var title = cfg.title || T.title;

  var FONT = "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:1rem;color:#1a1a1a;line-height:1.45";
  var CSS = [
    ":host{all:initial;--accent:" + ACCENT + ";" + FONT + "}",
    // the portal's rules reach the host element ("* { font-family: … !important }"), not the shadow tree: the
    // widget's own element sets the font again. Sizes are written in rem here but mean the reader's default size
    // (styled() turns them into px of it), never the portal's root size ("html { font-size: 62.5% }")
    ".inline,.float{" + FONT + "}",
    "*{box-sizing:border-box}",
    ".panel{background:#fff;display:flex;flex-direction:column;border:1px solid #767676;border-radius:10px;overflow:hidden}",
    ".panel[hidden]{display:none}",  // the display rule above would otherwise keep a closed panel on screen
    ".inline .panel{min-height:70vh;overflow:clip}",
    // on the page the input stays at the bottom of the screen, however long the answers above it grow
    // ("clip", not "hidden": a hidden overflow would make the panel the scroller and the input would not stick)
    ".inline form{position:sticky;bottom:0;z-index:1}",
    // ... and its header with "Neue Unterhaltung" at the top, however many questions above; what is scrolled or
    // tabbed to (a message, a citation marker, an opened source box) stops below that header, two lines of title
    // high, and above that input (about 90 px high with its hint line, more with a larger text size)
    ".inline header{position:sticky;top:0;z-index:1}.inline .log *{scroll-margin-top:6rem;scroll-margin-bottom:8rem}",
    ".float{position:fixed;bottom:16px;z-index:2147483000}",
    ".float.right{right:16px}.float.left{left:16px}",
    // open, the panel takes the launcher's place: the same title twice, one under the other, read as two things
    // (walk-through, round 39); "×" in the panel closes it, and the launcher is back
    ".float .panel{width:min(420px,calc(100vw - 32px));height:min(640px,calc(100vh - 32px));",
    "box-shadow:0 6px 24px rgba(0,0,0,.25)}.float .panel:not([hidden])+.launcher{display:none}",
    ".launcher .waiting{display:block;font-size:.8rem;font-weight:normal;margin-top:2px}",
    ".launcher{background:var(--accent);color:#fff;border:0;border-radius:24px;padding:12px 18px;font:inherit;",
    "font-weight:600;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3)}",
    "header{background:var(--accent);color:#fff;padding:10px 14px;display:flex;align-items:center;gap:8px}",
    "header h2{font-size:1.05rem;margin:0;flex:1;line-height:1.25}",
    "header h2:focus{outline:2px solid #fff;outline-offset:2px}",  // reached by "Zur Kopfzeile des Chats"
    // beside "Neue Unterhaltung" and × the floating panel's title keeps to two lines ("Fragen zum / Startchancen-Programm")
    ".float header h2{font-size:.9rem}.float header{gap:6px}",
    ".float header button{font-size:.8rem;padding:2px 6px}",
    "header button{background:transparent;color:#fff;border:1px solid #fff;border-radius:6px;font:inherit;",
    "font-size:.85rem;padding:2px 8px;cursor:pointer;white-space:nowrap}",
    "button{min-height:24px;min-width:24px}",
    // on a touch screen the × that closes the floating panel is a thumb's size (44 px, WCAG 2.5.5), not a fingertip's
    "@media (pointer:coarse){.float header .close{min-width:44px;min-height:44px;font-size:1.2rem}}",
    ".notice{background:#fff8e1;border-bottom:1px solid #d9c27a;padding:4px 14px;font-size:.8rem;margin:0}",
    ".notice summary{cursor:pointer;min-height:24px;display:flex;align-items:center;gap:6px}",
    // display:flex drops the browser's disclosure triangle: one of our own says that the line opens
    ".notice summary::before{content:'\\25B8';font-size:.9rem}.notice[open] summary::before{content:'\\25BE'}",
    ".notice p{margin:4px 0}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    // a skip link in front of the input: shown only while it has the keyboard focus
    "form .to-top:not(:focus){position:absolute;width:1px;height:1px;min-width:0;min-height:0;overflow:hidden;" +
    "clip:rect(0 0 0 0);padding:0;border:0}",
    "form .to-top:focus{flex-basis:100%;min-height:32px;background:#fff;color:var(--accent);border:2px solid var(--accent)}",
    ".log{flex:1;overflow-y:auto;overscroll-behavior:contain;padding:12px 14px;display:flex;flex-direction:column;gap:12px;scroll-padding-top:8px}",
    ".msg{max-width:100%;padding:10px 12px;border-radius:8px}",
    // a question pasted from an e-mail keeps its paragraphs; a long address breaks instead of widening the bubble
    ".user{align-self:flex-end;background:#e8f0fe;max-width:85%;white-space:pre-wrap;overflow-wrap:anywhere}",
    // a pasted e-mail shows its first lines (its signature and disclaimer would push the answer off the screen)
    ".user.long:not(.open) .said{display:block;max-height:7.5em;overflow:hidden;" +
    "-webkit-mask-image:linear-gradient(#000 55%,transparent);mask-image:linear-gradient(#000 55%,transparent)}",
    ".user .more{display:block;margin-top:4px;min-height:24px;padding:2px 0;background:none;border:0;" +
    "color:var(--accent);text-decoration:underline;font:inherit;font-size:.85rem;cursor:pointer;white-space:normal}",
    ".bot{background:#f4f4f4;border:1px solid #d0d0d0}",
    ".bot.refusal{background:#fdf2f2;border:1px solid #b4232c}",
    ".bot.asks-back{background:#f2f6fd;border:1px solid #00427a}.asks-back .tag{color:#00427a}",
    ".tag{display:inline-block;font-size:.75rem;font-weight:700;text-transform:uppercase;letter-spacing:.03em;",
    "color:#8a1c23;margin-bottom:4px}",
    ".searched{font-size:.8rem;color:#4a4a4a;margin-bottom:4px}",
    ".bot p{margin:0 0 8px}.bot ul{margin:0 0 8px 1.1em;padding:0}",
    ".cite{font:inherit;font-size:.8rem;font-weight:700;color:var(--accent);background:#fff;border:1px solid var(--accent);",
    "border-radius:4px;padding:0 4px;margin:0 2px;cursor:pointer;min-width:24px;min-height:24px;vertical-align:middle}",
    ".retry{font:inherit;margin-top:8px;background:#fff;border:1px solid var(--accent);color:#00427a;border-radius:6px;",
    "padding:4px 10px;cursor:pointer}",
    ".source{border-left:4px solid var(--accent);background:#fff;padding:8px 10px;margin-top:8px;font-size:.9rem}",
    ".source blockquote{margin:6px 0;padding:0 0 0 8px;border-left:2px solid #999;color:#333;white-space:pre-line}",
    ".source a{color:#00427a;display:inline-block;min-height:24px;line-height:24px}",
    ".notice-line{font-size:.85rem;color:#5a4a00;margin-top:6px}",
    ".srcs{margin:8px 0 0;padding:6px 0 0 2.2em;border-top:1px solid #d0d0d0;font-size:.8rem;color:#4a4a4a}",
    // numbered as in the text ("[1]"), so a title that starts with a number ("1. Schulträgeraustausch") does not
    // read "1. 1."; a link that wraps stays beside its number (top-aligned, not on its last line)
    ".srcs li{margin:2px 0}.srcs li::marker{content:'[' counter(list-item) '] '}",
    ".srcs a{color:#00427a;display:inline-block;min-height:24px;line-height:24px;vertical-align:top}",
    ".feedback,.feedback-details,.actions{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px;align-items:center;font-size:.85rem}",
    ".feedback-details[hidden]{display:none}",
    ".copy-status{font-size:.85rem;color:#4a4a4a}",
    ".feedback button,.actions button{font:inherit;border:1px solid #767676;background:#fff;border-radius:6px;padding:2px 10px;cursor:pointer;",
    "min-height:28px}",
    ".feedback button[aria-pressed=true]{background:var(--accent);color:#fff;border-color:var(--accent)}",
    ".feedback select,.feedback input{font:inherit;font-size:.85rem;max-width:100%;min-height:28px}",
    ".feedback-details{flex:1 1 100%}",
    ".feedback .fb-comment-label{flex:1 1 100%}",
    ".feedback input.fb-comment{flex:1 1 100%;min-height:32px}",
    ".examples{display:flex;flex-wrap:wrap;gap:6px}",
    ".examples button,button.suggest{font:inherit;font-size:.85rem;background:#fff;border:1px solid var(--accent);",
    "color:#00427a;border-radius:16px;padding:4px 10px;cursor:pointer;min-height:24px;text-align:left}",
    ".bot li:has(> button.suggest){list-style:none;margin:4px 0 4px -1em}",
    "form{display:flex;flex-wrap:wrap;gap:8px;padding:10px 14px;border-top:1px solid #ccc;background:#fafafa}",
    ".hint,.fb-problem{flex-basis:100%;font-size:.85rem;color:#8a1c23}.hint:empty,.fb-problem:empty{display:none}",
    "form label{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}",
    "textarea{flex:1;font:inherit;border:1px solid #767676;border-radius:6px;padding:8px;resize:vertical;min-height:44px}",
    "form button{background:var(--accent);color:#fff;border:0;border-radius:6px;padding:0 16px;font:inherit;font-weight:600}",
    "form button:disabled{opacity:.6;cursor:progress}",  // while an answer is on its way
    "button:focus-visible,textarea:focus-visible,a:focus-visible,select:focus-visible,input:focus-visible,",
    "summary:focus-visible,",
    "[tabindex]:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}",
    // on a phone, or a screen few lines high (a phone held sideways, a desktop browser zoomed to 200 %), the open
    // panel takes the screen, and the title fits two lines beside "Neue Unterhaltung" and "×"
    "@media (max-width:480px),(max-height:520px){.float{bottom:8px}.float .panel{width:min(420px,calc(100vw - 16px));height:calc(100vh - 16px);",
    "height:calc(100dvh - 16px)}",
    ".float.right{right:8px}.float.left{left:8px}header{padding:6px 10px}header h2{font-size:.95rem}",
    ".float header h2{font-size:.8rem;line-height:1.2}.float header{gap:4px}.float header button{font-size:.75rem;",
    "padding:2px 5px}}",
    // printed, a chat page is its questions, answers and sources with their addresses; no buttons, no input. The
    // floating widget is left out of a portal page's printout ("Antwort mit Quellen kopieren" forwards an answer)
    "@media print{.float{display:none}.inline header{position:static}.inline .panel{border:0;min-height:0;overflow:visible}.log{overflow:visible}",
    "header button,form,.feedback,.feedback-details,.actions,.retry,.examples,.copy-status,.user .more{display:none!important}",
    ".user.long .said{max-height:none!important;-webkit-mask-image:none!important;mask-image:none!important}",
    ".msg{break-inside:avoid-page}.msg.user{break-after:avoid-page}.srcs a::after{content:' <' attr(href) '>';word-break:break-all}",
    ".cite{border:0;padding:0;margin:0;min-width:0;min-height:0;color:#000}}"
  ].join("");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === "class") { node.className = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
      });
    }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function asOf(c) {  // "Stand 04.06.2025"; without a date "Stand undatiert", in English just "undated"
    return c.date ? T.stand + " " + germanDate(c.date) : (LANG === "de" ? T.stand + " " : "") + T.undated;
  }

  function sourceLink(c) {  // the original; for a document we hold only as PDF (the ism slides), the cited page
    var url = c.source_url ? safeUrl(c.source_url) : null;
    return url || (c.page ? pdfPage(c) : null);
  }

  function citedPart(c) {  // "Folie/Seite 4" or the section
    return c.page ? T.page + " " + c.page : c.section;
  }

  function pdfPage(c) {  // the PDF we hold of a cited document, opened at the cited page
    return safeUrl("/api/v1/documents/" + encodeURIComponent(c.doc_id) + "/file#page=" + c.page);
  }

  function safeUrl(url) {
    try { var u = new URL(url, API); return (u.protocol === "https:" || u.protocol === "http:") ? u.href : null; }
    catch (e) { return null; }
  }

  function germanDate(value) {
    // "2025-06-04" -> "04.06.2025", "2025-02" -> "Februar 2025", "2024" stays
    var m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(value || "");
    if (!m) { return value; }
    if (m[3]) { return m[3] + "." + m[2] + "." + m[1]; }
    return (T.months[Number(m[2]) - 1] || m[2]) + " " + m[1];
  }

  function styled(root) {
    // a stylesheet built by this script, not an inline <style>: a portal whose Content-Security-Policy allows this
    // script but no inline styles (style-src without 'unsafe-inline') shows the widget styled all the same
    var probe = el("span");
    probe.style.fontSize = "medium";  // the reader's default size, whatever the portal sets for its own root
    root.appendChild(probe);
    var base = parseFloat(getComputedStyle(probe).fontSize) || 16;
    root.removeChild(probe);
    var css = CSS.replace(/(\d*\.?\d+)rem\b/g, function (m, n) { return (Number(n) * base).toFixed(2) + "px"; });
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
    } catch (e) {  // a browser without constructable stylesheets
      root.appendChild(el("style", null, css));
    }
  }

  var KEPT_VERSION = 1;  // what this widget writes; an entry of another version (or a broken one) is not read

  function recalled() {  // what this tab kept: { v, session, items: [{question, meta, text, citations, …}], unsent }
    if (!REMEMBER) { return {}; }
    try {
      var kept = JSON.parse(sessionStorage.getItem(STORE_KEY) || "{}");
      if (!kept || typeof kept !== "object" || Array.isArray(kept) || kept.v !== KEPT_VERSION) { return {}; }
      var items = Array.isArray(kept.items) ? kept.items : [];
      return { v: KEPT_VERSION, session: typeof kept.session === "string" ? kept.session : null,
        items: items.every(wellFormed) ? items : [], unsent: typeof kept.unsent === "string" ? kept.unsent : "" };
    } catch (e) { return {}; }  // storage blocked or a broken entry: a new conversation
  }

  function wellFormed(item) {  // a kept answer as this widget writes it: anything else starts a new conversation
    var isText = function (v) { return typeof v === "string"; };
    var orNull = function (v) { return v === null || v === undefined || typeof v === "string"; };
    var m = item && item.meta;
    return Boolean(item) && isText(item.question) && isText(item.text) && orNull(item.notice) &&
      Array.isArray(item.citations) && item.citations.every(function (c) { return c && typeof c === "object"; }) &&
      Array.isArray(item.suggestions) && item.suggestions.every(isText) &&
      Boolean(m) && typeof m === "object" && orNull(m.refusal_reason) && orNull(m.rewritten_question) &&
      orNull(m.answer_id);
  }

  // what the tab keeps of a question: its contact details left out, as the server leaves them out of what it stores
  // (a pasted signature's e-mail address and telephone number; the view of this page still shows them)
  var CONTACT_EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}/g;
  var CONTACT_PHONE = /(\b(?:tel(?:efon)?|fon|phone|mobil|handy|fax|durchwahl)\b[^\d\n]{0,15}?)(?:\+|00)?\d[\d \u00a0()\/–-]{5,}\d|(?:\+|00)[1-9]\d{0,2}[ \u00a0]?-?(?:\(0\)[ \u00a0]?)?\d[\d \u00a0()\/–-]{4,}\d|(?:\(0\d{2,5}\)|\b0\d{2,5}[ \u00a0]?\/)[ \u00a0]?\d[\d \u00a0-]{3,}\d/gi;
  // a pasted e-mail's signature, as the server cuts it: from the closing formula on, where no question follows
  var CLOSING = /(?:\n|(?<=[.!?]) +) *(?:mit +(?:freundlichen|besten|herzlichen|vielen|kollegialen) +grü(?:ß|ss)en|mit +freundlichem +gru(?:ß|ss)|(?:freundliche|viele|beste|liebe|herzliche|schöne|kollegiale) +grü(?:ß|ss)e|gru(?:ß|ss)|grü(?:ß|ss)e|mfg|lg|vg|(?:best|kind|warm) +regards|regards)(?![\wäöüß])[^?]*$/i;
  function withoutContacts(text) {
    var closing = CLOSING.exec(text);
    if (closing && /\w/.test(text.slice(0, closing.index))) { text = text.slice(0, closing.index).replace(/\s+$/, ""); }
    return text.replace(CONTACT_EMAIL, LANG === "en" ? "[e-mail address removed]" : "[E-Mail-Adresse entfernt]")
      .replace(CONTACT_PHONE, function (all, cue) {
        return (cue || "") + (LANG === "en" ? "[telephone number removed]" : "[Telefonnummer entfernt]");
      });
  }

  function keep(kept) {
    if (!REMEMBER) { return; }
    for (var tries = 0; tries < 3; tries += 1) {
      try { sessionStorage.setItem(STORE_KEY, JSON.stringify(kept)); return; } catch (e) {
        // the tab's storage is full (the portal's own entries): the older half of the answers gives way
        if (!kept.items || !kept.items.length) { return; }
        kept.items = kept.items.slice(Math.ceil(kept.items.length / 2));
      }
    }
  }

  function build(host) {
    var root = host.attachShadow({ mode: "open" });
    styled(root);
    var frame = el("div", { "class": MODE === "inline" ? "inline" : "float " + (cfg.position === "left" ? "left" : "right") });
    var panel = el("section", { "class": "panel", "aria-label": title });
    var header = el("header");
    var heading = el("h2", { tabindex: "-1" }, title);  // where "Zur Kopfzeile des Chats" takes the keyboard
    header.appendChild(heading);
    // offered once there is a conversation to leave: before the first question it would only start what is there
    var fresh = el("button", { type: "button", "class": "new-chat" }, T.newChat);
    fresh.hidden = true;
    header.appendChild(fresh);
    panel.appendChild(header);
    var notice = el("details", { "class": "notice" });
    notice.appendChild(el("summary", null, T.noticeShort));
    notice.appendChild(el("p", null, T.notice));
    panel.appendChild(notice);
    // the conversation is not a live region: each answer is announced once, when it is complete, through `live`
    var log = el("div", { "class": "log", "aria-label": title });
    panel.appendChild(log);
    var live = el("div", { "class": "sr", role: "status", "aria-live": "polite", "aria-atomic": "true" });
    panel.appendChild(live);
    // the tab's conversation: restored with its session after a reload or on another page of the portal, so what
    // steers a follow-up is always what is on screen; "Neue Unterhaltung" starts a new one
    var kept, items, sessionId;
    function reread() { kept = recalled(); items = kept.items || []; sessionId = items.length ? kept.session : null; }
    function dropKept() { kept = {}; items = []; sessionId = null; keep(kept); }
    reread();
    // a tab the browser duplicated starts with a copy of this entry, server session included, which would then steer
    // the follow-ups of both tabs by whichever asked last. A page that starts asks the other pages whether one holds
    // its session; if one in another tab does, it keeps the conversation it shows but drops the session: its next
    // question starts one of its own, read with the question on screen (`previous_question`). The tab's own page
    // being left knows the newcomer by a mark in the tab's storage and stays silent; of two tabs starting at once
    // (a restored browser session) exactly one gives way. Closed while the page is in the back-forward cache; without
    // the channel (or where the browser refuses it, as Firefox does with site data blocked) tabs share the session
    var claim = null, claimId = "", claimedAt = 0;
    var TAB_MARK = STORE_KEY.replace(/^scp-assistant:/, "scp-assistant-tab:");
    function tabMark() { try { return sessionStorage.getItem(TAB_MARK); } catch (e) { return null; } }
    function giveWay() { sessionId = null; kept.session = null; keep(kept); }
    function post(message) { try { claim.postMessage(message); } catch (e) { /* closed meanwhile */ } }
    function claimSession() {
      if (claim) { claim.close(); claim = null; }
      if (!REMEMBER || typeof BroadcastChannel !== "function") { return; }
      claimId = Math.random().toString(36).slice(2); claimedAt = Date.now();
      try {
        sessionStorage.setItem(TAB_MARK, claimId);
        claim = new BroadcastChannel(STORE_KEY);
      } catch (e) { claim = null; return; }
      claim.onmessage = function (e) {
        var d = e.data || {};
        if (!sessionId || d.session !== sessionId || d.from === claimId) { return; }
        if (d.type === "open" && tabMark() !== d.from) {  // another tab, not this tab's next page
          // the page that was there first keeps it; of two starting within a second, the one with the lower id
          if (Date.now() - claimedAt > 1000 || claimId < d.from) {
            post({ type: "held", session: sessionId, from: claimId, to: d.from });
          } else { giveWay(); }
        }
        if (d.type === "held" && d.to === claimId) { giveWay(); }
      };
      if (sessionId) { post({ type: "open", session: sessionId, from: claimId }); }
    }
    claimSession();
    var unseen = false;  // a kept conversation restored in a closed panel: scrolled to its latest question on opening
    var conversation = 0;  // counts "Neue Unterhaltung": an answer still arriving from before cannot revive its session
    var form = el("form");
    var inputId = "scp-q-" + Math.random().toString(36).slice(2);
    form.appendChild(el("label", { "for": inputId }, T.label));
    // no maxlength: a pasted question that is too long is said so, never cut off unseen
    var hintId = inputId + "-hint";
    var input = el("textarea", { id: inputId, rows: "2", placeholder: T.placeholder, "aria-label": T.label,
      "aria-describedby": hintId });
    // after a few answers "Neue Unterhaltung" lay some 40 Shift+Tab presses above the input, behind every source
    // and feedback button (walk-through, round 37): one Shift+Tab from the input reaches this skip link to the
    // chat's heading, from where the next Tab is "Neue Unterhaltung" (which clears the chat only when pressed)
    var toTop = el("button", { type: "button", "class": "to-top" }, T.toTop);
    toTop.hidden = true;
    toTop.addEventListener("click", function () { heading.focus(); });
    form.appendChild(toTop);
    form.appendChild(input);
    var send = el("button", { type: "submit" }, T.send);
    form.appendChild(send);
    var hint = el("div", { id: hintId, "class": "hint" });
    form.appendChild(hint);
    panel.appendChild(form);
    function setHint(message) {
      // shown under the input; announced through the chat's one status region when it appears, not per keystroke
      var was = hint.textContent;
      hint.textContent = message;
      if (message && !was) { live.textContent = message; }
    }
    function checkLength() {
      var n = input.value.trim().length;
      setHint(n > MAX_SENT ? T.tooLong(n) : n > MAX_CHARS ? T.long(n) : "");
      input.setAttribute("aria-invalid", n > MAX_SENT ? "true" : "false");
    }
    input.addEventListener("input", function () { checkLength(); fit(); });

    var examples = el("div", { "class": "msg bot" });
    examples.appendChild(el("div", { "class": "tag" }, T.examples));
    var list = el("div", { "class": "examples" });
    T.exampleList.forEach(function (q) {
      var b = el("button", { type: "button" }, q);
      b.addEventListener("click", function () { ask(q); });
      list.appendChild(b);
    });
    examples.appendChild(list);
    log.appendChild(examples);

    function showExamples() {  // the chat as before its first question: nothing to leave or jump over yet
      log.appendChild(examples); fresh.hidden = true; toTop.hidden = true;
    }

    function leave() {
      // an answer still on its way belongs to the conversation left behind: stop it, and take questions at once
      if (pending) { pending.abort(); pending = null; }
      busy = false; send.disabled = false; conversation += 1;
      log.textContent = ""; live.textContent = ""; setHint("");
    }

    fresh.addEventListener("click", function () {
      leave();
      if (sessionId) { forget(sessionId); }  // the server deletes its turns now, not only when the session expires
      dropKept(); unseen = false;
      showExamples(); input.value = ""; fit(true); input.focus();
    });

    var launcher = null;
    if (MODE === "widget") {
      launcher = el("button", { "class": "launcher", type: "button", "aria-expanded": "false" }, title);
      var closeBtn = el("button", { "class": "close", type: "button", "aria-label": T.close }, "×");
      header.appendChild(closeBtn);
      var setOpen = function (open) {
        panel.hidden = !open;
        launcher.setAttribute("aria-expanded", open ? "true" : "false");
        if (open) { fit(); input.focus(); }  // a text put back while it was closed gets its height now
        if (open && unseen) { unseen = false; refold(); toLatest(); }
        var waiting = launcher.querySelector(".waiting");
        if (open && waiting) { waiting.remove(); }
      };
      launcher.addEventListener("click", function () { setOpen(panel.hidden); });
      closeBtn.addEventListener("click", function () { setOpen(false); launcher.focus(); });
      panel.addEventListener("keydown", function (e) {
        if (e.key === "Escape") { setOpen(false); launcher.focus(); }
      });
      panel.addEventListener("focusout", function (e) {
        // Tab out of the open panel onto a control of the page that the panel covers would leave the focus unseen
        // (WCAG 2.4.11): the panel closes, and its launcher is back in the corner
        if (!e.relatedTarget || e.relatedTarget === host) { return; }
        setTimeout(function () {
          var now = document.activeElement;
          if (panel.hidden || !now || now === host || now === document.body) { return; }
          var a = now.getBoundingClientRect(), b = panel.getBoundingClientRect();
          if (a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top) { setOpen(false); }
        }, 0);
      });
      // the portal's next page opens with the panel closed, also when it was open on the page before: the reader
      // moved on to read that page (on a phone the open panel would cover all of it); the conversation is a click away
      panel.hidden = cfg.open !== "true";
      launcher.setAttribute("aria-expanded", panel.hidden ? "false" : "true");
      frame.appendChild(panel);
      frame.appendChild(launcher);
    } else {
      frame.appendChild(panel);
    }
    root.appendChild(frame);

    form.addEventListener("submit", function (e) { e.preventDefault(); ask(input.value); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); ask(input.value); }
    });

    function foldLong(asked) {  // its first lines, and a button for the whole message (for a screen reader: all of it)
      asked.classList.add("long");
      var more = el("button", { type: "button", "class": "more", "aria-expanded": "false" }, T.wholeMessage);
      more.addEventListener("click", function () {
        var open = asked.classList.toggle("open");
        more.textContent = open ? T.shorterMessage : T.wholeMessage;
        more.setAttribute("aria-expanded", open ? "true" : "false");
      });
      asked.appendChild(more);
    }
    // the input grows with a long text, up to a third of the chat (the answers keep the larger part, also on a
    // phone held sideways), and shrinks when it is sent; a height the user dragged it to stays while it suffices
    function fit(reset) {
      if (reset) { input.style.height = ""; }
      if (input.scrollHeight > input.clientHeight + 2) {
        var room = Math.round(Math.min(panel.clientHeight || window.innerHeight, window.innerHeight) / 3);
        input.style.height = Math.max(input.clientHeight, Math.min(input.scrollHeight + 4, room)) + "px";
      }
    }

    var busy = false;
    var pending = null;  // the request of the answer on its way: { abort }
    var pendingQuestion = "";  // and its question
    function ask(text, retryOf) {
      var question = (text || "").trim();
      if (busy) { setHint(T.busy); return; }  // the text stays in the box; it can be sent when the answer is there
      if (!question) { setHint(T.empty); input.focus(); return; }
      if (question.length > MAX_SENT) { setHint(T.tooLong(question.length)); input.focus(); return; }
      setHint("");
      busy = true; send.disabled = true; input.value = ""; fit(true); live.textContent = "";
      if (examples.parentNode) { examples.remove(); }
      fresh.hidden = false; toTop.hidden = false;
      var asked = retryOf || questionMsg(question);
      var msg = answerMsg(asked, T.thinking, "true");
      var body = msg.querySelector(".body");
      reveal(asked);
      var state = { text: "", meta: null, citations: [], notice: null, suggestions: [], first: true, question: question };
      var slow = setTimeout(function () {  // a slow answer: the waiting line says so, the answer still comes
        if (state.first && mine === conversation && body.textContent === T.thinking) {
          body.textContent = T.slow; live.textContent = T.slow;  // said once; the answer's announcement replaces it
        }
      }, SLOW_MS);
      function offerRetry() {
        var again = el("button", { type: "button", "class": "retry" }, T.retry);
        again.addEventListener("click", function () {
          if (busy) { setHint(T.busyRetry); return; }  // another answer is on its way: keep this one's message and retry
          msg.remove(); ask(question, asked);
        });
        msg.appendChild(again);
      }
      function say(text, retry) {  // a message instead of an answer, announced; a retry where one may help
        if (mine !== conversation) { return; }  // left with "Neue Unterhaltung": not to be announced in the new one
        body.textContent = text; live.textContent = text;
        if (retry) { offerRetry(); }
        reveal(asked);
      }
      var mine = conversation;
      // a server or proxy that hangs: no sign of life for STALL_MS ends the request with a message and a retry
      var stop = window.AbortController ? new AbortController() : null, stalled = false, watchdog = null;
      function alive() {
        clearTimeout(watchdog);
        if (stop) { watchdog = setTimeout(function () { stalled = true; stop.abort(); }, STALL_MS); }
      }
      var probe = null;  // the look at /healthz after a failed request (another origin only)
      var request = { abort: function () { if (stop) { stop.abort(); } if (probe) { probe.abort(); } } };
      pending = request;
      alive();
      pendingQuestion = question;
      stream(question, sessionId, lastShown(), stop && stop.signal, alive, function (event, data) {
        if (mine !== conversation) { return; }  // an event already on its way when the conversation was left
        if (event === "meta") {
          state.meta = data;
          sessionId = data.session_id || sessionId; claimedAt = 0;  // its own now: answered for, whoever starts later
          marks(msg, body, question, data);
        } else if (event === "delta") {
          if (state.first) { body.textContent = ""; state.first = false; reveal(asked); }
          state.text += data.text;
          body.textContent = state.text;
        } else if (event === "citations") {
          state.citations = data.citations || []; state.notice = data.notice; state.suggestions = data.suggestions || [];
        } else if (event === "done") {
          renderAnswer(msg, body, state);
          reveal(asked);  // now that the answer is there, the log can scroll the question to the top
          // one announcement: how the question was read (when it was read otherwise), a refusal's label, the text
          var sentence = function (node) {
            return node ? node.textContent.replace(/[.?!:]?$/, function (p) { return (p === ":" || !p ? "." : p) + " "; }) : "";
          };
          live.textContent = T.answerReady + sentence(msg.querySelector(".searched")) + sentence(msg.querySelector(".tag")) +
            state.text.replace(/\s*\[\d+\]/g, "").replace(/\n+/g, " ");
          remember(state, msg);
        } else if (event === "error" && data.rejected && !retryOf && !input.value.trim()) {
          // the server could not take the question as written (too long without greeting and signature): nothing
          // was asked, so the text goes back to the box to be shortened, with the server's reason under it (with
          // something typed meanwhile in the box, the question and the reason stay in the chat instead)
          msg.remove(); asked.remove();
          if (!log.children.length) { showExamples(); }
          input.value = question; fit();
          setHint(data.message || T.error); input.setAttribute("aria-invalid", "true");
        } else if (event === "error") {
          say(data.message || T.error, data.retry);  // busy or failed: the same question may work again
        }
      }).catch(function (err) {
        if (mine !== conversation) { return; }  // left with "Neue Unterhaltung": nothing to say any more
        if (stalled) { say(T.stalled, true); return; }
        if (err && err.message === INTERRUPTED) {
          say(T.interrupted, true);  // the stream ended before its last event: a partial answer must not look complete
          return;
        }
        // no answer at all (offline, server down, a proxy error without CORS headers): say so in plain language and
        // offer a retry. A portal the server does not allow fails the same way in the browser; on another origin a
        // look at /healthz tells the two apart: the server answers a page it does not allow with a readable 403
        var warn = function (what) {
          if (window.console) {
            console.warn("SCP Assistant: " + what + " (" + (err && err.message) + "). Läuft der Server, und steht " +
              "diese Seite (" + location.origin + ") in SCP_SERVER__ALLOWED_ORIGINS?");
          }
        };
        if (new URL(API, location.href).origin === location.origin) {
          warn("keine Antwort"); say(T.offline, true); return null;
        }
        probe = window.AbortController ? new AbortController() : null;
        var timer = probe ? setTimeout(function () { probe.abort(); }, 5000) : null;  // a hanging probe is offline
        return fetch(API + "/healthz", { cache: "no-store", signal: probe ? probe.signal : undefined }).then(function (r) {
          if (r.status === 403) { warn(API + " lehnt diese Seite ab"); say(T.blocked, false); }
          else { warn("keine Antwort auf die Frage"); say(T.offline, true); }
        }, function () { warn("keine Antwort von " + API); say(T.offline, true); }).then(function () {
          if (timer) { clearTimeout(timer); }
        });
      }).then(function () {
        clearTimeout(watchdog); clearTimeout(slow);
        msg.setAttribute("aria-busy", "false");
        if (pending !== request) { return; }  // a newer conversation owns the input now
        pending = null;
        busy = false; send.disabled = false; input.focus({ preventScroll: true });
        if (hint.textContent === T.busy) { setHint(""); }
      });
    }

    function questionMsg(question) {  // who says what, for a screen reader going through the conversation
      var asked = el("div", { "class": "msg user" });
      asked.appendChild(el("span", { "class": "sr" }, T.yourQuestion));
      asked.appendChild(el("span", { "class": "said" }, question));
      log.appendChild(asked);
      foldIfLong(asked);
      return asked;
    }

    function foldIfLong(asked) {  // longer than eight lines as shown here: folded (measured only when shown)
      var said = asked.querySelector(".said");
      var line = 1.5 * parseFloat(getComputedStyle(said).fontSize);
      if (!asked.classList.contains("long") && said.getBoundingClientRect().height > 8 * line) { foldLong(asked); }
    }

    function refold() {  // questions restored while the panel was closed are measured once it is open
      Array.prototype.forEach.call(log.querySelectorAll(".msg.user"), foldIfLong);
    }

    function answerMsg(asked, text, busyNow) {  // under its question, also when a retry comes after other questions
      var msg = el("div", { "class": "msg bot", "aria-busy": busyNow });
      msg.appendChild(el("span", { "class": "sr" }, T.theAnswer));
      msg.appendChild(el("div", { "class": "body" }, text));
      log.insertBefore(msg, asked.nextSibling);
      return msg;
    }

    function marks(msg, body, question, meta) {  // a refusal's tag and how the question was searched, above the text
      if (meta.refused && meta.refusal_reason !== "small_talk") {  // "Hallo" is greeted, not declined
        // asked for its topic, a question is not turned down: a neutral box, the tag asks back
        msg.classList.add(meta.refusal_reason === "needs_context" ? "asks-back" : "refusal");
        msg.insertBefore(el("div", { "class": "tag" }, T.refusal[meta.refusal_reason] || T.refusal.not_covered), body);
      }
      // what an off-topic or manipulating message was searched as says nothing the refusal does not
      var declined = meta.refused && (meta.refusal_reason === "out_of_scope" || meta.refusal_reason === "adversarial");
      var searched = declined ? "" : searchedLine(question, meta.rewritten_question || "");
      if (searched) { msg.insertBefore(el("div", { "class": "searched" }, searched), body); }
    }

    function remember(state, msg) {  // a complete answer joins what the tab keeps of the conversation
      var m = state.meta || {};
      var searched = m.rewritten_question ? withoutContacts(m.rewritten_question) : null;
      var item = { question: withoutContacts(state.question), text: state.text, citations: state.citations,
        notice: state.notice || null, suggestions: state.suggestions, meta: { refused: Boolean(m.refused),
          refusal_reason: m.refusal_reason || null, rewritten_question: searched, answer_id: m.answer_id || null } };
      // in the order shown: an answer retried after later questions stands under its own question
      var before = 0, node = msg.previousElementSibling;
      for (; node; node = node.previousElementSibling) { if (node.hasAttribute("data-kept")) { before += 1; } }
      msg.setAttribute("data-kept", "");
      items.splice(before, 0, item);
      items = items.slice(-KEEP);
      kept.v = KEPT_VERSION; kept.session = sessionId; kept.items = items; keep(kept);
    }

    function restore() {  // the kept conversation as it was shown, its sources, notices and rating bars included
      if (typeof kept.unsent === "string" && kept.unsent) {  // asked, but the page changed before the answer came
        input.value = kept.unsent; setHint(T.unsent);
        delete kept.unsent; keep(kept);
        // the closed launcher says so too, until the panel is opened
        if (launcher && panel.hidden && !launcher.querySelector(".waiting")) {
          launcher.appendChild(el("span", { "class": "waiting" }, T.waiting));
        }
      }
      if (!items.length) { return; }
      try {
        if (examples.parentNode) { examples.remove(); }
        fresh.hidden = false; toTop.hidden = false;
        items.forEach(function (item) {
          var msg = answerMsg(questionMsg(item.question), "", "false");
          msg.setAttribute("data-kept", "");
          var state = { text: item.text, meta: item.meta, citations: item.citations, notice: item.notice || null,
            suggestions: item.suggestions, first: false, question: item.question, rated: item.rated === true };
          marks(msg, msg.querySelector(".body"), item.question, state.meta);
          renderAnswer(msg, msg.querySelector(".body"), state);
        });
      } catch (e) {  // whatever the entry held, the chat works: a new conversation instead of a broken one
        dropKept();
        log.textContent = ""; showExamples();
        return;
      }
      unseen = panel.hidden;
      // the portal's next page opens with the panel closed: its launcher says the conversation is there (walk-through,
      // round 44: nothing showed it until opened)
      if (launcher && panel.hidden && !launcher.querySelector(".waiting")) {
        launcher.appendChild(el("span", { "class": "waiting" }, T.resumable));
      }
      toLatest();
    }

    // a page shown again from the browser's back-forward cache holds the conversation as it was when it was left;
    // the tab's may have gone on meanwhile on another page (or started over): it is read again
    window.addEventListener("pageshow", function (e) {
      if (!e.persisted || !REMEMBER) { return; }
      leave(); reread(); claimSession();
      if (items.length || kept.unsent) { restore(); }
      if (!items.length) { showExamples(); }
    });

    // a question still on its way when the reader leaves the page is not lost: the next page puts it back in the box
    window.addEventListener("pagehide", function () {
      if (busy && pendingQuestion) { kept.v = KEPT_VERSION; kept.unsent = pendingQuestion; keep(kept); }
      if (claim) { claim.close(); claim = null; }
    });

    function lastShown() {
      // the question the reader sees last, as it was searched: it stands in for a session the server has forgotten.
      // Small talk lends no topic, nor does a message declined as off-topic or asked for its topic
      for (var i = items.length - 1; i >= 0; i -= 1) {
        var m = items[i].meta || {};
        if (m.refusal_reason === "small_talk") { continue; }
        if (["out_of_scope", "adversarial", "needs_context"].indexOf(m.refusal_reason) >= 0) { return null; }
        var shown = m.rewritten_question || items[i].question;
        return shown.length <= 8000 ? shown : null;  // the server's limit for it
      }
      return null;
    }

    function toLatest() {
      // where the reader left it: the latest question at the top of the chat's own scrolling area (never the
      // portal's page, which keeps its place); a closed panel does it when it is opened
      var asked = log.querySelectorAll(".msg.user");
      if (!asked.length || panel.hidden) { return; }
      var latest = asked[asked.length - 1];
      if (log.scrollHeight > log.clientHeight + 1) {
        log.scrollTop += latest.getBoundingClientRect().top - log.getBoundingClientRect().top;
      } else if (frame.getBoundingClientRect().top < window.innerHeight / 2) {
        latest.scrollIntoView({ block: "start" });  // a chat that is the page (the web chat): the page scrolls
      }
    }

    function searchedLine(question, searched) {
      // nothing when the question was searched as written; a follow-up searched with the previous topic in
      // brackets ("Und wer genehmigt das? (Schule Chancenbudget)") names that topic instead of showing the brackets
      var norm = function (t) { return t.replace(/\s+/g, " ").trim(); };
      if (!searched || same(searched, question)) { return ""; }
      // a pasted e-mail searched without its greeting and signature: the rest of it as written, no line of its own
      if (canon(question).indexOf(canon(searched)) >= 0) { return ""; }
      var m = /^([\s\S]*?)\s*\(([^()]+)\)$/.exec(searched);
      if (m && !/\)\s*$/.test(question)) {
        // the question (with typing errors corrected, if any) plus the previous question's topic in brackets
        if (same(m[1], question)) { return T.withTopic + norm(m[2]); }
        return T.searched + norm(m[1]) + T.andTopic + norm(m[2]);
      }
      return T.searched + searched;
    }

    function same(a, b) {
      // the same question but for its case, punctuation or how a pillar is numbered ("säule 1" searched as "Säule I"):
      // not worth a line of its own
      return canon(a) === canon(b);
    }

    function canon(t) {
      return t.toLowerCase().replace(/\b(s(?:ä|ae)ulen?)[\s-]*(iii|ii|i|1|2|3)\b/g, function (_, w, n) {
        return "säule" + ({ i: "1", ii: "2", iii: "3" }[n] || n);
      }).replace(/[^0-9a-zäöüß]+/g, "");
    }

    function reveal(node) {
      // the question and the start of its answer in view, whatever scrolls: the chat log or the page. A question
      // taller than a third of that view (pasted from an e-mail) would push its answer out of it: then the answer
      // comes to the top
      var view = log.scrollHeight > log.clientHeight + 1 ? log.clientHeight : window.innerHeight;
      var target = node.offsetHeight > view / 3 && node.nextElementSibling ? node.nextElementSibling : node;
      target.scrollIntoView({ block: "start", behavior: REDUCED ? "auto" : "smooth" });
    }

    function renderAnswer(msg, body, state) {
      body.textContent = "";
      var blocks = state.text.split(/\n\n/);
      blocks.forEach(function (block) {
        var lines = block.split("\n");
        var para = null, ul = null;
        lines.forEach(function (line) {
          if (/^- /.test(line)) {
            if (!ul) { ul = el("ul"); body.appendChild(ul); }
            var li = el("li");
            var offered = (state.suggestions || []).indexOf(line.slice(2)) >= 0;
            if (offered) { li.appendChild(suggestion(line.slice(2))); } else { appendMarked(li, line.slice(2), msg, state); }
            ul.appendChild(li);
          } else {
            ul = null;
            // the answer's own notice ("Hinweis: Eine Quelle stammt aus Nordrhein-Westfalen …") looks like the others
            para = el("p", /^(Hinweis|Note): /.test(line) ? { "class": "notice-line" } : null);
            appendMarked(para, line, msg, state); body.appendChild(para);
          }
        });
      });
      // each notice once: one the answer text already ends with (another Land) is not repeated below it
      newNotices(state).forEach(function (part) { msg.appendChild(el("div", { "class": "notice-line" }, part)); });
      if (state.citations.length) { msg.appendChild(sourceList(state.citations)); }
      // small talk ("Danke!") has nothing to copy or rate; a reply that asks for the question's topic has nothing to
      // copy, but it can be rated (was asking back right?)
      var talk = state.meta && state.meta.refusal_reason === "small_talk";
      var asksBack = state.meta && state.meta.refusal_reason === "needs_context";
      if (!talk && !asksBack) { msg.appendChild(copyBar(state)); }
      if (!talk && state.meta && state.meta.answer_id) {
        msg.appendChild(state.rated ? thanked() : feedbackBar(state.meta.answer_id));  // rated on an earlier page
      }
    }

    function suggestion(q) {
      // a question the documents answer, offered in place of small talk or a question without a topic: one click asks it
      var b = el("button", { type: "button", "class": "suggest" }, q);
      // while an answer is on its way the question waits in the input box, as the busy hint says
      b.addEventListener("click", function () { if (busy) { input.value = q; fit(); } ask(q); });
      return b;
    }

    function newNotices(state) {
      // the parts of the answer's notice its text does not already say (one about another Land may end the text)
      return (state.notice || "").split(/\s+(?=Hinweis: |Note: |Ihre Nachricht enthielt )/).filter(function (part) {
        return part && state.text.indexOf(part) < 0;
      });
    }

    function copyBar(state) {
      // for a council paper or an e-mail: the answer as plain text with its numbered sources and their links, so
      // "[2]" can be matched to its source outside the chat
      var bar = el("div", { "class": "actions" });
      var sourced = state.citations.length > 0;  // a refusal without sources promises none
      var button = el("button", { type: "button" }, sourced ? T.copy : T.copyPlain);
      var status = el("span", { "class": "copy-status" });  // said here, beside the button, not at the question field
      button.addEventListener("click", function () {
        copyText(plainAnswer(state), button).then(function () { say(sourced ? T.copied : T.copiedPlain); },
          function () { say(T.copyFailed); });
      });
      function say(text) {
        status.textContent = text;
        live.textContent = "";  // the same words again are announced again (a second copy)
        setTimeout(function () { live.textContent = text; }, 50);
      }
      bar.appendChild(button);
      bar.appendChild(status);
      return bar;
    }

    function plainAnswer(state) {
      // for a council paper: what was asked, the answer, its sources, and when it was looked up (most pages of the
      // Land carry no date of their own)
      var lines = [T.asked + state.question, "", state.text.trim()];
      var notices = newNotices(state);  // each once, as shown (the text may already end with one of them)
      if (notices.length) { lines.push("", notices.join("\n")); }
      if (state.citations.length) {
        lines.push("", T.sources + ":");
        state.citations.forEach(function (c) {
          var where = citedPart(c);
          lines.push("[" + c.n + "] " + c.title + (where ? " – " + where : "") + " (" + c.publisher + ", " + asOf(c) + ")");
          var url = sourceLink(c);
          if (url) { lines.push("    " + url); }
        });
      }
      lines.push("", T.retrieved(new Date()));
      return lines.join("\n") + "\n";
    }

    function copyText(text, button) {
      if (navigator.clipboard && window.isSecureContext) { return navigator.clipboard.writeText(text); }
      // a portal served over plain http has no clipboard API: the older way through a selected text field, which
      // takes the focus for a moment; it goes back to the button (Escape and Tab go on from there)
      return new Promise(function (resolve, reject) {
        var area = el("textarea", { "class": "sr", "aria-hidden": "true", tabindex: "-1", readonly: "readonly" });
        area.value = text;
        root.appendChild(area);
        area.focus({ preventScroll: true });
        area.select();
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
        area.remove();
        button.focus({ preventScroll: true });
        if (ok) { resolve(); } else { reject(new Error("copy")); }
      });
    }

    function sourceList(citations) {
      // every answer names its sources without a click: number, title, publisher and date, linked to the original
      var list = el("ol", { "class": "srcs", "aria-label": T.sources });
      citations.forEach(function (c) {
        var li = el("li", { value: String(c.n) });
        var url = sourceLink(c);
        li.appendChild(url ? el("a", { href: url, target: "_blank", rel: "noopener" }, c.title) : el("span", null, c.title));
        li.appendChild(document.createTextNode(" – " + c.publisher + ", " + asOf(c)));
        list.appendChild(li);
      });
      return list;
    }

    function appendMarked(node, text, msg, state) {
      var parts = text.split(/(\[\d+\])/);
      parts.forEach(function (part) {
        var m = /^\[(\d+)\]$/.exec(part);
        var c = m ? state.citations[Number(m[1]) - 1] : null;
        if (c) {
          var b = el("button", { type: "button", "class": "cite", "aria-expanded": "false",
            "aria-label": T.source + " " + m[1] + ": " + c.title }, "[" + m[1] + "]");
          b.addEventListener("click", function () { toggleSource(msg, b, c); });
          node.appendChild(b);
        } else if (part) {
          appendLinked(node, unbroken(part));
        }
      });
    }

    function unbroken(text) {
      // a figure stays on one line with its unit ("16,8 Mio. €", "30 %", "20.000 Euro"): shown with a no-break space
      return text.replace(/(\d|Mio\.|Mrd\.) (?=€|%|Euro\b|Mio\.|Mrd\.)/g, "$1\u00a0");
    }

    function appendLinked(node, text) {
      // an e-mail address in an answer (the contact line of a refusal) opens the mail program
      text.split(EMAIL).forEach(function (piece, i) {
        if (i % 2) { node.appendChild(el("a", { href: "mailto:" + piece }, piece)); }
        else if (piece) { node.appendChild(document.createTextNode(piece)); }
      });
    }

    function toggleSource(msg, button, c) {
      var id = "src-" + (state_counter++);
      var open = msg.querySelector(".source[data-n='" + c.n + "']");
      if (open) { open.remove(); button.setAttribute("aria-expanded", "false"); return; }
      var box = el("div", { "class": "source", "data-n": String(c.n), id: id, tabindex: "-1" });
      box.appendChild(el("strong", null, "[" + c.n + "] " + c.title));
      box.appendChild(el("div", null, c.publisher + " · " + asOf(c)));
      box.appendChild(el("div", null, citedPart(c)));
      // a quote from a list shows its points as points, not as the "- " of the text they were taken from
      if (c.quote) { box.appendChild(el("blockquote", null, c.quote.replace(/^- /gm, "• "))); }
      var links = el("div");
      if (c.page) {
        var pdf = pdfPage(c);
        if (pdf) { links.appendChild(el("a", { href: pdf, target: "_blank", rel: "noopener" }, T.openPage)); }
      }
      var orig = c.source_url ? safeUrl(c.source_url) : null;
      if (orig) {
        if (links.childNodes.length) { links.appendChild(document.createTextNode(" · ")); }
        links.appendChild(el("a", { href: orig, target: "_blank", rel: "noopener" }, T.openOriginal));
      }
      box.appendChild(links);
      // right under the answer it belongs to (after any box already open), not below the sources and feedback
      var boxes = msg.querySelectorAll(".source");
      var after = boxes.length ? boxes[boxes.length - 1] : msg.querySelector(".body");
      if (after) { after.parentNode.insertBefore(box, after.nextSibling); } else { msg.appendChild(box); }
      button.setAttribute("aria-expanded", "true");
      button.setAttribute("aria-controls", id);
      // Escape closes the box (not the floating panel around it) and gives the focus back to its marker
      box.addEventListener("keydown", function (e) {
        if (e.key !== "Escape") { return; }
        e.stopPropagation();
        box.remove();
        button.setAttribute("aria-expanded", "false");
        button.removeAttribute("aria-controls");
        button.focus();
      });
      box.focus({ preventScroll: true });
      box.scrollIntoView({ block: "nearest", behavior: REDUCED ? "auto" : "smooth" });  // clear of the sticky input
    }
    var state_counter = 0;

    function thanked() {
      var bar = el("div", { "class": "feedback" });
      bar.appendChild(el("span", { tabindex: "-1", "class": "fb-thanks" }, T.thanks));
      return bar;
    }

    function feedbackBar(answerId) {
      var bar = el("div", { "class": "feedback" });
      var up = el("button", { type: "button", "aria-pressed": "false" });
      up.appendChild(el("span", { "aria-hidden": "true" }, "+ ")); up.appendChild(document.createTextNode(T.helpful));
      // "Nicht hilfreich" opens the form (and closes it again); only "Rückmeldung senden" sends: it must not look
      // like a vote that was already counted
      var down = el("button", { type: "button", "aria-expanded": "false" });
      down.appendChild(el("span", { "aria-hidden": "true" }, "– ")); down.appendChild(document.createTextNode(T.notHelpful));
      bar.appendChild(up); bar.appendChild(down);
      var extra = el("div", { "class": "feedback-details", hidden: "hidden" });
      var reasonId = "r-" + Math.random().toString(36).slice(2);
      extra.appendChild(el("label", { "for": reasonId }, T.reason));
      var select = el("select", { id: reasonId });
      select.appendChild(el("option", { value: "", selected: "selected" }, T.choose));
      T.reasons.forEach(function (r) { select.appendChild(el("option", { value: r[0] }, r[1])); });
      extra.appendChild(select);
      // the comment gets a row of its own at full width: what went wrong rarely fits a short field
      var commentId = "c-" + Math.random().toString(36).slice(2);
      extra.appendChild(el("label", { "for": commentId, "class": "fb-comment-label" }, T.comment));
      var comment = el("input", { type: "text", id: commentId, maxlength: "500", "class": "fb-comment" });
      extra.appendChild(comment);
      var submit = el("button", { type: "button" }, T.sendFeedback);
      extra.appendChild(submit);
      bar.appendChild(extra);
      var problem = el("span", { "class": "fb-problem" });  // announced through the chat's one status region
      bar.appendChild(problem);
      function done() {
        // the thanks takes the place of the buttons, and the keyboard focus with it (not back to the page top)
        var thanks = thanked();
        bar.replaceWith(thanks);
        thanks.firstChild.focus({ preventScroll: true });  // read out once, as the focus lands on it (no live region)
        items.forEach(function (i) { if (i.meta && i.meta.answer_id === answerId) { i.rated = true; } });
        if (items.length) { kept.items = items; keep(kept); }  // not offered again on the portal's next page
      }
      function failed(button) { problem.textContent = T.feedbackFailed; live.textContent = T.feedbackFailed; button.focus(); }
      up.addEventListener("click", function () {
        problem.textContent = "";
        up.setAttribute("aria-pressed", "true");
        postFeedback(answerId, "up", null, null).then(done, function () {
          up.setAttribute("aria-pressed", "false"); failed(up);
        });
      });
      down.addEventListener("click", function () {
        var open = extra.hidden;
        extra.hidden = !open; down.setAttribute("aria-expanded", open ? "true" : "false");
        if (open) {
          select.focus({ preventScroll: true });
          // the whole form in view, its send button above the input that sticks to the bottom of the page
          extra.scrollIntoView({ block: "nearest", behavior: REDUCED ? "auto" : "smooth" });
        }
      });
      // Escape closes the form and gives the focus back to its button; Enter in the comment sends it
      extra.addEventListener("keydown", function (e) {
        if (e.key !== "Escape") { return; }
        e.stopPropagation();
        extra.hidden = true; down.setAttribute("aria-expanded", "false");
        down.focus();
      });
      comment.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && !e.isComposing && !e.repeat) { e.preventDefault(); submit.click(); }
      });
      submit.addEventListener("click", function () {
        if (submit.disabled) { return; }  // one record per form: held Enter or a second click send nothing more
        problem.textContent = "";
        submit.disabled = true;
        postFeedback(answerId, "down", select.value || null, comment.value.trim() || null).then(done, function () {
          submit.disabled = false; submit.textContent = T.retry; failed(submit);
        });
      });
      return bar;
    }

    restore();

    // what a skip link on the page does: the question field, with the floating window opened first
    return function focusQuestion() {
      if (launcher && panel.hidden) { setOpen(true); } else { input.focus(); }
    };
  }

  function forget(sessionId) {  // nothing to tell the reader either way: a session not deleted expires on its own
    fetch(API + "/api/v1/sessions/" + encodeURIComponent(sessionId), { method: "DELETE" })
      .catch(function () {});
  }

  function postFeedback(answerId, rating, reason, comment) {
    return fetch(API + "/api/v1/feedback", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ answer_id: answerId, rating: rating, reason: reason, comment: comment })
    }).then(function (r) { if (!r.ok) { throw new Error(T.error); } return r.json(); });
  }

  var INTERRUPTED = "scp-stream-interrupted";
  function stream(question, sessionId, previous, signal, alive, onEvent) {
    return fetch(API + "/api/v1/ask/stream", {
      method: "POST", headers: { "Content-Type": "application/json", "Accept": "text/event-stream" },
      body: JSON.stringify({ question: question, session_id: sessionId, previous_question: previous }),
      signal: signal || undefined
    }).then(function (res) {
      alive();
      if (!res.ok) {
        var retry = res.status >= 500 || res.status === 429;  // busy or failed, not a question to change
        return res.json().then(function (j) {
          var message = (j && j.error && j.error.message) || T.error;
          if (j && j.error && j.error.code === "origin_not_allowed") {
            // a page the server does not allow, told in the widget's language, with a hint for the operator
            message = T.blocked;
            if (window.console) {
              console.warn("SCP Assistant: " + API + " lehnt diese Seite ab. Steht diese Seite (" + location.origin +
                ") in SCP_SERVER__ALLOWED_ORIGINS?");
            }
          }
          onEvent("error", { message: message, retry: retry, rejected: res.status === 422 || res.status === 413 });
        }, function () { onEvent("error", { message: T.error, retry: retry }); });
      }
      var reader = res.body.getReader(), decoder = new TextDecoder(), buffer = "", ended = false;
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) {
            if (!ended) { throw new Error(INTERRUPTED); }
            return;
          }
          alive();
          buffer += decoder.decode(chunk.value, { stream: true });
          var idx;
          while ((idx = buffer.indexOf("\n\n")) >= 0) {
            var raw = buffer.slice(0, idx); buffer = buffer.slice(idx + 2);
            var event = "message", data = "";
            raw.split("\n").forEach(function (line) {
              if (line.indexOf("event: ") === 0) { event = line.slice(7); }
              else if (line.indexOf("data: ") === 0) { data += line.slice(6); }
            });
            if (event === "done" || event === "error") { ended = true; }
            try { onEvent(event, JSON.parse(data)); } catch (e) { /* ignore a malformed event */ }
          }
          // the last event completes the answer: the chat takes the next question at once, even when the
          // connection lingers after it (a proxy, a loaded server)
          if (ended) { reader.cancel().catch(function () {}); return; }
          return pump();
        });
      }
      // the connection breaking while the answer streams is an interrupted answer, not a missing server
      return pump().catch(function (e) { throw (e && e.message === INTERRUPTED) ? e : new Error(INTERRUPTED); });
    });
  }

  function mount() {
    var host;
    if (MODE === "inline") {
      host = document.getElementById(cfg.target || "scp-assistant");
      if (!host) {
        if (window.console) { console.warn("SCP Assistant: kein Element mit der id \"" + (cfg.target || "scp-assistant") + "\" für data-mode=\"inline\"."); }
        return;
      }
    } else {
      host = el("div", { id: "scp-assistant-widget" });
      document.body.appendChild(host);
    }
    var focusQuestion = build(host);
    // the page's skip link ("Zum Chat springen", href="#scp-assistant") lands in the question field, not on the page
    // body; the floating widget opens for it (its own element is #scp-assistant-widget; "#scp-assistant" is the
    // documented name, unless the page uses that id for something else)
    var targets = ["#" + host.id];
    if (!document.getElementById("scp-assistant")) { targets.push("#scp-assistant"); }
    document.addEventListener("click", function (ev) {
      var link = ev.target && ev.target.closest ? ev.target.closest("a[href]") : null;
      if (!link || targets.indexOf(link.hash) < 0 || link.pathname !== location.pathname) { return; }
      ev.preventDefault();
      focusQuestion();
    });
    // a page opened at "…#scp-assistant" (a link from elsewhere, a bookmark) or sent there later starts in the chat
    function fromAddress() { if (targets.indexOf(location.hash) >= 0) { focusQuestion(); } }
    window.addEventListener("hashchange", fromAddress);
    fromAddress();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", mount); } else { mount(); }
})();
