() => {
  // Gradio leaves a few accessibility labels in English whatever the page language (the file
  // drop zone, the footer); they are named in Chinese here, and again whenever Gradio redraws them.
  const names = {
    'Click to upload or drop files': '点击上传或拖放文件',
    'Gradio footer navigation': '页脚导航',
    'Textbox': '文本框',
    'Reset to default value': '恢复默认值',
  };
  const rename = () => {
    document.querySelectorAll('[aria-label], [title]').forEach((el) => {
      for (const attr of ['aria-label', 'title']) {
        const value = el.getAttribute(attr);
        if (value && names[value]) { el.setAttribute(attr, names[value]); }
      }
    });
  };
  let queued = false;
  new MutationObserver(() => {
    if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; rename(); }); }
  }).observe(document.body, {subtree: true, childList: true, attributes: true, attributeFilter: ['aria-label', 'title']});
  rename();
}
