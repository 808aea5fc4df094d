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
  let queued = false;
  new MutationObserver(() => {
    if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; rename(); progress(); }); }
  }).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true,
    attributeFilter: ['aria-label', 'title']});
  rename();
}
