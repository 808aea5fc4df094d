// The click handler of every HTML component of the web app (app/web.py passes this file as the
// components' js_on_load). `element` is the component and `trigger` sends an event to the server,
// whose handler reads the payload: a clause to open (cid, s, e), feedback (fb, mid, comment), a
// conversation to open (conv) or delete (del). Copying, sorting and closing the drawer stay here.

function pqSort(button) {
  const th = button.closest('th');
  const table = button.closest('table');
  const col = Number(button.dataset.sort);
  const numeric = button.dataset.type === 'number';
  const dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
  table.querySelectorAll('th').forEach((h) => h.removeAttribute('aria-sort'));
  th.setAttribute('aria-sort', dir);
  const body = table.tBodies[0];
  const key = (row) => row.cells[col].innerText.trim();
  const rows = Array.from(body.rows);
  rows.sort((a, b) => {
    const c = numeric ? (parseFloat(key(a)) || 0) - (parseFloat(key(b)) || 0) : key(a).localeCompare(key(b), 'zh-CN');
    return dir === 'ascending' ? c : -c;
  });
  rows.forEach((row) => body.appendChild(row));
}

// The clause panels carry pq-open while a clause is shown: on a phone that slides the drawer up.
// (A class on the panels, not on <body>: Gradio scopes rules inside @media to its container.)
// Opening concerns the panel of the tab clicked in: the panels of other tabs stay closed, so that
// one does not cover the screen when its tab is shown. Closing closes every panel.
function pqDrawer(open, from) {
  const tab = open && from ? from.closest('[role="tabpanel"]') : null;
  document.querySelectorAll('.pq-panel-box').forEach((p) => {
    if (!open || !tab || tab.contains(p)) { p.classList.toggle('pq-open', open); }
  });
}

// On a wide screen the panel stands beside a long list (search results, the task table): a clause
// opened far down the list would change a panel out of sight, so the panel is brought into view once
// its new content arrives.
function pqShowPanel() {
  if (window.innerWidth <= 760) { return; }
  const panel = Array.from(document.querySelectorAll('.pq-panel-box')).find((p) => p.offsetParent !== null);
  if (!panel) { return; }
  const show = () => {
    const r = panel.getBoundingClientRect();
    if (r.top < 0 || r.top > window.innerHeight - 80) { panel.scrollIntoView({block: 'start', behavior: 'smooth'}); }
  };
  const seen = new MutationObserver(() => { seen.disconnect(); show(); });
  seen.observe(panel, {childList: true, subtree: true, characterData: true});
  setTimeout(() => seen.disconnect(), 5000);
}

// Copies a clause's reference. The clipboard API exists only in a secure context (https or
// localhost): a server reached over plain http copies through a hidden text box instead. The button
// says whether it worked, then reads as before again.
function pqCopyByTextBox(text) {
  const box = document.createElement('textarea');
  box.value = text;
  box.setAttribute('readonly', '');
  box.style.position = 'fixed';
  box.style.opacity = '0';
  document.body.appendChild(box);
  box.select();
  let done = false;
  try { done = document.execCommand('copy'); } catch (e) { done = false; }
  box.remove();
  return done;
}

function pqCopy(button) {
  const text = button.dataset.copy;
  const label = button.dataset.label || button.textContent;
  button.dataset.label = label;
  const say = (ok) => {
    button.textContent = ok ? '已复制' : '复制失败，请选中文字手动复制';
    clearTimeout(button.pqReset);
    button.pqReset = setTimeout(() => { button.textContent = label; }, 2000);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(() => say(true), () => say(pqCopyByTextBox(text)));
  } else {
    say(pqCopyByTextBox(text));
  }
}

element.addEventListener('click', (e) => {
  const t = e.target;
  const copy = t.closest('[data-copy]');
  if (copy) { pqCopy(copy); return; }
  if (t.closest('[data-close]')) { pqDrawer(false); return; }
  const sort = t.closest('[data-sort]');
  if (sort) { pqSort(sort); return; }
  const fb = t.closest('[data-fb]');
  if (fb) {
    const box = fb.closest('[data-mid]');
    const input = box.querySelector('.pq-fb-comment');
    box.querySelectorAll('button').forEach((b) => { b.disabled = true; });
    trigger('click', {fb: fb.dataset.fb, mid: box.dataset.mid, comment: input ? input.value : ''});
    return;
  }
  const del = t.closest('[data-del]');
  if (del) {
    // Deleting a conversation asks once: the first click turns × into 确认删除.
    if (del.dataset.armed) { trigger('click', {del: del.dataset.del}); return; }
    del.dataset.armed = '1';
    del.textContent = '确认删除';
    del.classList.add('pq-armed');
    return;
  }
  const conv = t.closest('[data-conv]');
  if (conv) { trigger('click', {conv: conv.dataset.conv}); return; }
  const item = t.closest('[data-cid]');
  if (item) {
    pqDrawer(true, element);  // on a phone the panel is a drawer over the page
    pqShowPanel();
    trigger('click', {cid: item.dataset.cid, s: item.dataset.s || '', e: item.dataset.e || ''});
  }
});

element.addEventListener('keydown', (e) => {
  // Enter in a feedback comment sends it as 有误 (the comment says what is wrong).
  if (e.key === 'Enter' && e.target.classList.contains('pq-fb-comment')) {
    const wrong = e.target.closest('[data-mid]').querySelector('[data-fb="wrong"]');
    if (wrong) { wrong.click(); }
  }
});

if (!window.pqEscape) {
  window.pqEscape = true;
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { pqDrawer(false); }
  });
}

// The chat keeps its newest answer in view: scroll down when a question is added, and while the
// reader is at the bottom (the finished answer, its sources and feedback buttons are taller than the
// pending one they replace); not when an older answer is re-drawn while the reader looks at it.
const pqChat = element.closest('#pq-chat') || element.querySelector('#pq-chat');
if (pqChat) {
  let turns = -1;
  let pinned = true;
  pqChat.addEventListener('scroll', () => {
    pinned = pqChat.scrollHeight - pqChat.scrollTop - pqChat.clientHeight < 40;
  });
  new MutationObserver(() => {
    const now = pqChat.querySelectorAll('.pq-turn').length;
    if (now !== turns || pinned || pqChat.querySelector('.pq-pending')) { pqChat.scrollTop = pqChat.scrollHeight; }
    turns = now;
  }).observe(pqChat, {childList: true, subtree: true, characterData: true});
}
