// The explainer's web page: a small single-page app over the service's read API (/api/...).
// Every text from the data goes through textContent (el()), never innerHTML: request ids come from clients.
'use strict';

const CLASS_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag',
  'Ankle boot'];
const METHOD_NAMES = { lime: 'LIME', kernel_shap: 'KernelSHAP', tree_shap: 'TreeSHAP' };
const REFRESH_MS = 2000;

let timer = null;          // the current view's refresh timer
let charts = [];           // Chart.js instances of the current view, destroyed on navigation
let generation = 0;        // bumps on each navigation so that late answers of an old view are dropped

// ---- helpers ----

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

async function api(path, options) {
  const response = await fetch(path, options);
  let body = null;
  const type = response.headers.get('content-type') || '';
  if (type.includes('json')) body = await response.json();
  if (!response.ok) {
    const err = new Error(body && body.error ? body.error : `HTTP ${response.status} on ${path}`);
    err.status = response.status;
    throw err;
  }
  return body;
}

const pct = (v, digits = 1) => (v === null || v === undefined ? '–' : (100 * v).toFixed(digits) + ' %');
const num = (v, digits = 3) => (v === null || v === undefined ? '–' : Number(v).toPrecision(digits));
const enc = encodeURIComponent;

function setView(...children) {
  const view = document.getElementById('view');
  // an absent part (null: e.g. no importance map for a CNN) is left out; replaceChildren would print "null"
  view.replaceChildren(...children.filter(c => c !== null && c !== undefined && c !== false));
}

function errorBox(e) {
  return el('p', { class: 'error', 'data-testid': 'error', text: e.message || String(e) });
}

function chart(canvas, config) {
  if (!window.Chart) {
    canvas.replaceWith(el('p', { class: 'muted', text: 'chart library not loaded' }));
    return;
  }
  config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options);
  charts.push(new window.Chart(canvas, config));
}

function leave() {
  generation++;
  if (timer) clearTimeout(timer);
  timer = null;
  charts.forEach(c => c.destroy());
  charts = [];
}

function every(ms, fn) {
  const mine = generation;
  const tick = async () => {
    if (mine !== generation) return;
    let again = true;
    try { again = (await fn()) !== false; } catch (e) { /* the view shows its own errors */ }
    if (mine === generation && again) timer = setTimeout(tick, ms);
  };
  return tick();
}

// ---- routes ----

function route() {
  leave();
  const hash = location.hash.replace(/^#/, '') || '/';
  const parts = hash.split('?')[0].split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : '');
  const section = parts[0] || 'stream';
  document.querySelectorAll('header nav a[data-nav]').forEach(a => {
    const nav = a.getAttribute('data-nav');
    a.classList.toggle('active', nav === section || (nav === 'models' && section === 'model'));
  });
  if (section === 'prediction' && parts[1]) return predictionView(parts[1]);
  if (section === 'models') return modelsView();
  if (section === 'model' && parts[1]) return modelView(parts[1], parts[2] || 'latest');
  if (section === 'upload') return uploadView();
  return streamView(params);
}

// ---- the live stream of predictions ----

function streamView(params) {
  const filters = {
    model: params.get('model') || '', label: params.get('label') || '', correct: params.get('correct') || '',
    minConfidence: params.get('minConfidence') || '', maxConfidence: params.get('maxConfidence') || '',
    page: Number(params.get('page') || 0),
  };
  const select = (name, options) => el('select', { name, 'data-testid': 'filter-' + name },
    options.map(([value, text]) => el('option', { value, selected: filters[name] === value, text })));
  const form = el('form', { class: 'filters', 'data-testid': 'filters' },
    el('label', {}, 'Model', select('model', [['', 'all'], ['cnn', 'cnn'], ['lenet', 'lenet'], ['xgboost', 'xgboost'], ['forest', 'forest']])),
    el('label', {}, 'Predicted class', select('label', [['', 'all'], ...CLASS_NAMES.map((n, i) => [String(i), n])])),
    el('label', {}, 'Outcome', select('correct', [['', 'all'], ['true', 'correct'], ['false', 'wrong']])),
    el('label', {}, 'Confidence from', el('input', { type: 'number', name: 'minConfidence', min: 0, max: 1, step: 0.05,
      value: filters.minConfidence, 'data-testid': 'filter-minConfidence' })),
    el('label', {}, 'to', el('input', { type: 'number', name: 'maxConfidence', min: 0, max: 1, step: 0.05,
      value: filters.maxConfidence, 'data-testid': 'filter-maxConfidence' })),
    el('label', {}, 'Live', el('input', { type: 'checkbox', name: 'live', checked: filters.page === 0,
      'data-testid': 'live' })));
  const apply = ev => {
    if (ev) ev.preventDefault();
    const q = new URLSearchParams();
    for (const name of ['model', 'label', 'correct', 'minConfidence', 'maxConfidence']) {
      const v = form.elements[name].value;
      if (v !== '') q.set(name, v);
    }
    location.hash = '#/?' + q.toString();
  };
  form.addEventListener('change', ev => { if (ev.target.name !== 'live') apply(ev); });
  form.addEventListener('submit', apply);

  const status = el('p', { class: 'muted', 'data-testid': 'stream-status', text: 'Loading predictions…' });
  const grid = el('div', { class: 'grid', 'data-testid': 'prediction-grid' });
  const pager = el('div', { class: 'pager' });
  setView(el('h1', { text: 'Predictions' }), form, status, grid, pager);

  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v !== '' && k !== 'page') query.set(k, v);
  query.set('page', filters.page);
  query.set('size', 48);
  const gotoPage = p => {
    const q = new URLSearchParams(query);
    q.delete('size');
    q.set('page', p);
    location.hash = '#/?' + q.toString();
  };

  // The cards are redrawn only when the page changed: a redraw every 2 s would reload every
  // thumbnail and make the grid flicker while nothing new arrives.
  let shown = null;
  return every(REFRESH_MS, async () => {
    let page;
    try {
      page = await api('/api/predictions?' + query.toString());
    } catch (e) {
      status.replaceWith(errorBox(e));
      return false;
    }
    const signature = JSON.stringify(page.items);
    if (signature !== shown) {
      shown = signature;
      grid.replaceChildren(...page.items.map(predictionCard));
    }
    status.textContent = page.items.length === 0
      ? 'No stored prediction matches these filters yet.'
      : `${page.total} predictions match · page ${page.page + 1}` +
        (form.elements.live.checked ? ' · refreshing every 2 s' : '');
    pager.replaceChildren(
      el('button', { class: 'plain', disabled: page.page === 0, onclick: () => gotoPage(page.page - 1), text: 'Newer' }),
      el('button', { class: 'plain', disabled: (page.page + 1) * page.size >= page.total,
        onclick: () => gotoPage(page.page + 1), text: 'Older' }));
    return form.elements.live.checked;
  });
}

function predictionCard(p) {
  const outcome = p.correct === null || p.correct === undefined ? null
    : el('span', { class: p.correct ? 'ok' : 'bad', text: p.correct ? ' ✓' : ' ✗' });
  return el('a', { class: 'card', href: '#/prediction/' + enc(p.requestId), 'data-testid': 'prediction-card',
    'data-request-id': p.requestId, title: p.requestId },
  el('img', { src: `/api/predictions/${enc(p.requestId)}/image.png?scale=2`, alt: 'image ' + p.requestId,
    loading: 'lazy', 'data-testid': 'thumbnail' }),
  el('div', { class: 'meta' },
    el('div', { class: 'cls' }, p.className, outcome),
    el('div', { text: `${p.model} v${p.version} · ${pct(p.confidence, 0)}` }),
    p.trueLabel !== null && p.trueLabel !== undefined
      ? el('div', { class: 'muted', text: 'true: ' + CLASS_NAMES[p.trueLabel] }) : null,
    p.explanations > 0 ? el('span', { class: 'badge', text: p.explanations + ' explanations' }) : null,
    p.pendingExplanations > 0
      ? el('span', { class: 'badge', 'data-testid': 'pending-badge', text: p.pendingExplanations + ' queued' }) : null));
}

// ---- one request: probabilities, LIME and SHAP side by side, agreement, quality ----

function predictionView(requestId) {
  const started = Date.now();
  setView(el('p', { class: 'muted', text: 'Loading ' + requestId + '…' }));
  let shown = '';
  return every(REFRESH_MS, async () => {
    let view;
    try {
      view = await api('/api/predictions/' + enc(requestId));
    } catch (e) {
      if (e.status === 404 && Date.now() - started < 120000) {
        setView(el('h1', { text: 'Request ' + requestId }),
          el('p', { class: 'muted', 'data-testid': 'waiting', text: 'Waiting for the models to score it…' }));
        return true;
      }
      setView(el('h1', { text: 'Request ' + requestId }), errorBox(e));
      return false;
    }
    const pending = view.pending || [];
    const key = JSON.stringify([view.predictions.length, view.explanations.map(x => x.id + x.status),
      pending.map(x => x.model + x.version + x.method + x.status)]);
    if (key !== shown) {
      shown = key;
      charts.forEach(c => c.destroy());
      charts = [];
      renderPrediction(view);
    }
    // keep following while explanations are queued, or asked for and still missing (the upload form lands here)
    const waiting = pending.length > 0 || view.predictions.some(p => p.explain
      && !view.explanations.some(x => x.model === p.model && x.version === p.version));
    return waiting && Date.now() - started < 300000;
  });
}

function renderPrediction(view) {
  const first = view.predictions[0];
  const header = el('div', { class: 'panel row' },
    el('img', { class: 'pixelated', src: `/api/predictions/${enc(view.requestId)}/image.png?scale=8`, width: 224,
      height: 224, alt: 'the image the models saw', 'data-testid': 'request-image' }),
    el('div', {},
      el('h1', { text: 'Request ' + view.requestId }),
      el('p', {}, 'True class: ', first.trueLabel === null || first.trueLabel === undefined
        ? el('span', { class: 'muted', text: 'unknown (unlabelled traffic)' }) : CLASS_NAMES[first.trueLabel]),
      el('p', { class: 'muted', text: `Scored ${new Date(first.scoredAt).toLocaleString()} · ` +
        `${view.predictions.length} model(s) · ${view.explanations.length} explanation(s)` })));
  const sections = view.predictions.map(p => modelSection(view, p));
  setView(header, ...sections);
}

function modelSection(view, p) {
  const explanations = view.explanations.filter(x => x.model === p.model && x.version === p.version);
  const pending = (view.pending || []).filter(x => x.model === p.model && x.version === p.version);
  const agreements = (view.agreements || []).filter(a => a.model === p.model && a.version === p.version);
  const canvas = el('canvas', { 'data-testid': 'probabilities-chart' });
  const section = el('section', { class: 'panel', 'data-testid': 'model-section', 'data-model': p.model },
    el('h2', {}, el('a', { href: `#/model/${enc(p.model)}/${p.version}`, text: `${p.model} v${p.version}` }),
      ': ', el('span', { class: p.correct === false ? 'bad' : p.correct ? 'ok' : '', text: p.className }),
      ` (${pct(p.confidence)})`),
    el('div', { class: 'row' },
      el('div', { class: 'chart' }, canvas),
      el('div', { class: 'maps', 'data-testid': 'heatmaps' },
        explanations.length === 0 && pending.length === 0
          ? el('p', { class: 'muted', 'data-testid': 'no-explanations',
            text: p.explain ? 'Explanations are being computed…' : 'Not explained (not requested, not sampled).' })
          : explanations.map(explanationFigure),
        pending.length > 0
          ? el('p', { class: 'muted', 'data-testid': 'pending-explanations',
            text: 'Explanations are being computed: ' + pending.map(x => `${x.method} ${x.status}`).join(', ') + '…' })
          : null)),
    explanations.length > 0 ? qualityTable(explanations) : null,
    agreements.length > 0 ? agreementTable(agreements) : null);
  chart(canvas, {
    type: 'bar',
    data: { labels: CLASS_NAMES, datasets: [{ label: 'probability', data: p.probabilities,
      backgroundColor: CLASS_NAMES.map((_, i) => (i === p.label ? '#2f5bd3' : '#b7c4e6')) }] },
    options: { indexAxis: 'y', scales: { x: { min: 0, max: 1 } }, plugins: { legend: { display: false } } },
  });
  return section;
}

function explanationFigure(x) {
  const name = METHOD_NAMES[x.method] || x.method;
  if (x.status !== 'succeeded') {
    return el('figure', { class: 'map', 'data-testid': 'heatmap-failed', 'data-method': x.method },
      el('p', { class: 'error', text: `${name} failed: ${x.error}` }));
  }
  // as the papers draw them: LIME's top positive segments outlined on the image (next to its map),
  // SHAP's values as a diverging map, red positive, blue negative, symmetric around 0
  const outline = x.method === 'lime'
    ? el('img', { src: `${x.outline}?scale=8&top=${OUTLINE_TOP}`, 'data-testid': 'outline', 'data-method': x.method,
      alt: `${name}: the ${OUTLINE_TOP} segments of highest positive weight outlined`,
      title: `the ${OUTLINE_TOP} segments of highest positive weight, outlined on the image` })
    : null;
  return el('figure', { class: 'map', 'data-method': x.method },
    el('div', { class: 'row' }, outline,
      el('img', { src: x.heatmap + '?scale=8', alt: `${name} heatmap`, 'data-testid': 'heatmap', 'data-method': x.method })),
    el('figcaption', {}, `${name} · class ${x.targetClassName} · `,
      el('span', { class: 'space', 'data-testid': 'output-space', title: SPACE_TITLES[x.outputSpace] || '',
        text: SPACE_NAMES[x.outputSpace] || x.outputSpace || '' }),
      x.segmentation ? ' · ' : null,
      x.segmentation ? el('span', { class: 'space', 'data-testid': 'segmentation', text: x.segmentation,
        title: 'the segments the method perturbed: gridN = N x N-pixel cells, slicNcC = about N SLIC superpixels of compactness C' })
        : null));
}

// how many of LIME's segments the outline shows (the lime package's num_features=5)
const OUTLINE_TOP = 5;

// what an explanation's values are in (xai.explanation.output_space)
const SPACE_NAMES = { probability: 'probability', log_odds: 'log-odds', margin: 'margin (before issue 18)' };
const SPACE_TITLES = {
  probability: 'weights are changes of the class probability',
  log_odds: 'weights are changes of the centred log-probability, log p_c - mean_j log p_j (the logit for a softmax)',
  margin: 'TreeSHAP in XGBoost\'s raw margin, stored before output spaces were configured: not compared',
};

function qualityTable(explanations) {
  return el('table', { 'data-testid': 'quality' },
    el('tr', {}, ['method', 'status', 'space', 'LIME R²', 'SHAP efficiency gap', 'deletion area', 'samples', 'ms']
      .map(h => el('th', { class: h === 'method' ? 'label' : null, text: h }))),
    explanations.map(x => el('tr', { 'data-method': x.method },
      el('td', { class: 'label', text: METHOD_NAMES[x.method] || x.method }),
      el('td', { text: x.status }),
      el('td', { text: x.outputSpace ? (SPACE_NAMES[x.outputSpace] || x.outputSpace) : '–' }),
      el('td', { text: num(x.limeR2) }),
      el('td', { text: x.efficiencyGap === null || x.efficiencyGap === undefined ? '–' : x.efficiencyGap.toExponential(1) }),
      el('td', { text: num(x.deletionArea) }),
      el('td', { text: x.samples ?? '–' }),
      el('td', { text: x.elapsedMs === null || x.elapsedMs === undefined ? '–' : x.elapsedMs.toFixed(1) }))));
}

function agreementTable(agreements) {
  return el('table', { 'data-testid': 'agreement', style: 'margin-top:8px' },
    el('tr', {}, el('th', { class: 'label', text: 'methods (same output space only)' }),
      el('th', { text: 'Spearman rank correlation' }), el('th', { text: 'space' }), el('th', { text: 'segments' })),
    agreements.map(a => el('tr', {},
      el('td', { class: 'label', text: `${METHOD_NAMES[a.methodA] || a.methodA} vs ${METHOD_NAMES[a.methodB] || a.methodB}` }),
      el('td', { 'data-testid': 'spearman', text: a.spearman === null ? 'n/a (constant weights)' : a.spearman.toFixed(3) }),
      el('td', { text: SPACE_NAMES[a.outputSpace] || a.outputSpace }),
      el('td', { text: a.segments }))));
}

// ---- models: the paper's figures, live from the database ----

async function modelsView() {
  setView(el('h1', { text: 'Models' }), el('p', { class: 'muted', text: 'Loading…' }));
  let versions;
  try {
    versions = await api('/api/models');
  } catch (e) {
    setView(el('h1', { text: 'Models' }), errorBox(e));
    return;
  }
  setView(el('h1', { text: 'Models' }),
    versions.length === 0 ? el('p', { class: 'muted', text: 'No model is registered yet: train one with trainer-service.' })
      : el('table', { 'data-testid': 'model-list' },
        el('tr', {}, ['model', 'version', 'format', 'test accuracy', 'registered'].map(h => el('th', { class: 'label', text: h }))),
        versions.map(v => el('tr', {},
          el('td', { class: 'label' }, el('a', { href: `#/model/${enc(v.name)}/${v.version}`, text: v.name })),
          el('td', { class: 'label', text: v.version + (v.latest ? ' (latest)' : '') }),
          el('td', { class: 'label', text: v.format }),
          el('td', { text: pct(v.testAccuracy, 2) }),
          el('td', { class: 'label', text: new Date(v.createdAt).toLocaleString() })))));
}

async function modelView(name, version) {
  setView(el('p', { class: 'muted', text: `Loading ${name} ${version}…` }));
  let r;
  try {
    r = await api(`/api/models/${enc(name)}/${enc(version)}`);
  } catch (e) {
    setView(el('h1', { text: `${name} ${version}` }), errorBox(e));
    return;
  }
  const classes = r.classNames || CLASS_NAMES;
  const test = r.evaluations.find(e => e.split === 'test') || r.evaluations[0];
  const summary = el('div', { class: 'panel' },
    el('h1', { text: `${r.name} v${r.version}` }),
    el('p', {}, 'Test accuracy: ', el('strong', { 'data-testid': 'test-accuracy', text: test ? pct(test.accuracy, 2) : '–' }),
      test ? ` on ${test.images} images` : '', ' · accuracy on labelled traffic stored since: ',
      el('strong', { 'data-testid': 'live-accuracy', text: pct(r.live.accuracy, 2) }), ` (${r.live.labelled} images)`),
    el('p', { class: 'muted', text: `format ${r.format} · registered ${new Date(r.createdAt).toLocaleString()}` }));

  const perClass = el('canvas', { 'data-testid': 'per-class-chart' });
  const epochs = el('canvas', { 'data-testid': 'epoch-chart' });
  const figures = el('div', { class: 'row' },
    el('div', { class: 'panel' }, el('h2', { text: 'Accuracy per class' }), el('div', { class: 'chart wide' }, perClass)),
    r.epochs.length > 0
      ? el('div', { class: 'panel' }, el('h2', { text: 'Accuracy per epoch' }), el('div', { class: 'chart' }, epochs))
      : null);
  const confusion = test ? el('div', { class: 'panel' }, el('h2', { text: `Confusion matrix (${test.split}, rows = true class)` }),
    confusionTable(test.confusionMatrix, classes)) : null;
  const importance = r.importance ? el('div', { class: 'panel' },
    el('h2', { text: 'XGBoost feature importance (gain per pixel)' }),
    el('img', { src: r.importance + '?scale=10', alt: 'importance map', 'data-testid': 'importance-map' })) : null;
  const means = el('div', { class: 'panel' }, el('h2', { text: 'Mean |attribution| per predicted class (stored explanations)' }),
    el('div', { class: 'maps' }, ['lime', 'kernel_shap', 'tree_shap'].map(m => {
      const img = el('img', { src: `/api/models/${enc(r.name)}/mean-attributions.png?method=${m}&version=${r.version}&scale=4`,
        alt: `mean ${m} attributions`, 'data-method': m });
      const fig = el('figure', { class: 'map' }, img, el('figcaption', { text: METHOD_NAMES[m] }));
      img.addEventListener('error', () => fig.remove());   // 404: no stored explanation of that method
      return fig;
    })));
  setView(summary, figures, confusion, importance, means);

  chart(perClass, {
    type: 'bar',
    data: { labels: classes, datasets: [
      ...r.evaluations.filter(e => e.split === 'test').map(e => ({ label: 'test set', data: e.perClassAccuracy, backgroundColor: '#2f5bd3' })),
      { label: 'labelled traffic', data: r.live.perClass, backgroundColor: '#e0902f' }] },
    options: { scales: { y: { min: 0, max: 1 } } },
  });
  if (r.epochs.length > 0) {
    chart(epochs, {
      type: 'line',
      data: { labels: r.epochs.map(e => e.epoch), datasets: [
        { label: 'train', data: r.epochs.map(e => e.trainAccuracy), borderColor: '#2f5bd3' },
        // a refit version (trained on training and validation images together) has no validation line
        ...(r.epochs.some(e => e.validationAccuracy != null)
          ? [{ label: 'validation', data: r.epochs.map(e => e.validationAccuracy), borderColor: '#e0902f' }] : [])] },
      options: { scales: { x: { title: { display: true, text: 'epoch' } }, y: { title: { display: true, text: 'accuracy' } } } },
    });
  }
}

function confusionTable(matrix, classes) {
  let max = 0;
  matrix.forEach((row, i) => row.forEach((v, j) => { if (i !== j) max = Math.max(max, v); }));
  return el('table', { 'data-testid': 'confusion-matrix' },
    el('tr', {}, el('th', { class: 'label', text: 'true \\ predicted' }), classes.map(c => el('th', { text: c }))),
    matrix.map((row, i) => el('tr', {},
      el('th', { class: 'label', text: classes[i] }),
      row.map((v, j) => {
        const shade = i === j ? 'rgba(47,91,211,.18)' : `rgba(180,35,24,${max ? (0.6 * v / max).toFixed(3) : 0})`;
        return el('td', { style: `background:${shade}`, text: v });
      }))));
}

// ---- upload: classify a photo, then follow its request ----

function uploadView() {
  const file = el('input', { type: 'file', name: 'image', accept: 'image/png,image/jpeg', required: true,
    'data-testid': 'upload-file' });
  const model = el('select', { name: 'model', 'data-testid': 'upload-model' },
    [['all', 'all models'], ['cnn', 'cnn'], ['lenet', 'lenet'], ['xgboost', 'xgboost']]
      .map(([value, text]) => el('option', { value, text })));
  const status = el('p', { class: 'muted', 'data-testid': 'upload-status' });
  const submit = el('button', { type: 'submit', 'data-testid': 'upload-submit', text: 'Classify and explain' });
  const form = el('form', { class: 'filters' }, el('label', {}, 'Photo (PNG or JPEG)', file),
    el('label', {}, 'Models', model), submit);
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const f = file.files[0];
    if (!f) { status.textContent = 'Choose a file first.'; return; }
    submit.disabled = true;
    status.textContent = 'Sending…';
    try {
      const type = f.type === 'image/jpeg' || f.type === 'image/png' ? f.type : 'application/octet-stream';
      const accepted = await api('/api/uploads?model=' + enc(model.value),
        { method: 'POST', headers: { 'Content-Type': type }, body: f });
      location.hash = '#/prediction/' + enc(accepted.requestId);
    } catch (e) {
      status.replaceWith(errorBox(e));
      submit.disabled = false;
    }
  });
  setView(el('h1', { text: 'Classify a photo' }),
    el('p', { class: 'muted', text: 'Any photo of one garment: it is cropped, scaled to 28x28 and inverted like ' +
      'Fashion-MNIST, scored by every model through Kafka, and explained with LIME and SHAP.' }),
    form, status);
}

window.addEventListener('hashchange', route);
window.addEventListener('DOMContentLoaded', route);
