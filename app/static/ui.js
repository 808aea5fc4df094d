() => {
  // Gradio leaves a few accessibility labels in English whatever the page language (the file
  // drop zone, the footer); they are named in Chinese here, and again whenever Gradio redraws them.
  const names = {
    'Click to upload or drop files': '点击上传或拖放文件',
    'Gradio footer navigation': '页脚导航',
    'Textbox': '文本框',
    'Reset to default value': '恢复默认值',
    'Close': '关闭',
  };
  // A toast's title is its kind in English ("Error (2)"); the message under it is the app's own, but
  // for a refused upload Gradio puts the HTTP status before it ("HTTP 413: 上传被拒绝…").
  const kinds = {Error: '错误', Warning: '提示', Info: '提示', Success: '完成'};
  const rename = () => {
    document.querySelectorAll('[aria-label], [title]').forEach((el) => {
      for (const attr of ['aria-label', 'title']) {
        const value = el.getAttribute(attr);
        if (value && names[value]) { el.setAttribute(attr, names[value]); }
      }
    });
    document.querySelectorAll('[data-testid="toast-body"] .toast-title').forEach((el) => {
      const text = el.firstChild;
      const kind = text && text.nodeType === Node.TEXT_NODE ? text.textContent.trim() : '';
      if (kinds[kind]) { text.textContent = kinds[kind] + ' '; }
    });
    document.querySelectorAll('[data-testid="toast-text"]').forEach((el) => {
      const text = el.firstChild;  // changed in place: the node stays Gradio's
      const status = /^HTTP \d{3}: (?=[\u4e00-\u9fff])/;
      if (text && text.nodeType === Node.TEXT_NODE && status.test(text.nodeValue)) {
        text.nodeValue = text.nodeValue.replace(status, '');
      }
    });
  };
  // Gradio's upload progress is written in English only ("Uploading 1 file..."), whatever the locale.
  const uploading = /^Uploading\s*(\d*)\s*files?\.\.\.$/;
  const progress = () => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => (n.nodeValue.startsWith('Uploading') ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP)});
    const found = [];
    while (walker.nextNode()) { found.push(walker.currentNode); }
    for (const node of found) {
      const m = uploading.exec(node.nodeValue.trim());
      if (m) { node.nodeValue = `正在上传${m[1] ? ' ' + m[1] + ' 个' : ''}文件……`; }
    }
  };
  // A file over the per-file limit is not sent at all: without this the browser uploads all of it
  // (30 MB) only for the server to refuse it. The others chosen with it are uploaded as usual.
  const maxBytes = __PQ_MAX_UPLOAD_BYTES__;
  const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
  const note = (lines) => {
    const host = document.querySelector('#pq-files');
    if (!host) { return; }
    let box = document.querySelector('#pq-upload-refused');
    if (!box) {
      box = document.createElement('div');
      box.id = 'pq-upload-refused';
      box.className = 'pq-msg pq-error';
      box.setAttribute('role', 'alert');
      host.insertAdjacentElement('afterend', box);
    }
    box.textContent = lines.join('\n');
    box.hidden = !lines.length;
  };
  const tooBig = (files) => [...files].filter((f) => f.size > maxBytes).map((f) =>
    `未上传 ${f.name}：${mb(f.size)}，超过了 ${maxBytes / 1e6} MB 的上限。请把它拆成几个较小的文件后重新上传。`);
  document.addEventListener('change', (e) => {
    const input = e.target;
    if (!(input instanceof HTMLInputElement) || input.type !== 'file' || !input.closest('#pq-files')) { return; }
    const refused = tooBig(input.files || []);
    note(refused);
    if (!refused.length) { return; }
    const kept = new DataTransfer();
    [...input.files].filter((f) => f.size <= maxBytes).forEach((f) => kept.items.add(f));
    input.files = kept.files;
    if (!kept.files.length) { e.stopImmediatePropagation(); }  // nothing left to upload
  }, true);
  document.addEventListener('drop', (e) => {
    if (!e.target.closest || !e.target.closest('#pq-files') || !e.dataTransfer) { return; }
    const refused = tooBig(e.dataTransfer.files);
    note(refused.length ? [...refused, '拖入的其他文件也未上传：请去掉过大的文件后重新拖入。'] : []);
    if (refused.length) { e.preventDefault(); e.stopImmediatePropagation(); }
  }, true);
  let queued = false;
  new MutationObserver(() => {
    if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; rename(); progress(); }); }
  }).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true,
    attributeFilter: ['aria-label', 'title']});
  rename();
}
