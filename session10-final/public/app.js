// The live dashboard: plain JavaScript, no build step, no CDN. It reads the API with the key
// the page was given (the `#key=` of the link `pnpm demo` prints, or the form) and follows
// GET /v1/events with fetch (EventSource cannot send an Authorization header).

const $ = (id) => document.getElementById(id);
const state = {
  key: '',
  filters: [],
  steps: [],
  files: [],
  jobs: new Map(),
  workers: [],
  completed: [], // [time, completed counter]
  thumbs: new Map(),
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'class') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (value !== undefined && value !== null) node.setAttribute(name, value);
  }
  for (const child of children)
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

async function api(path, init = {}) {
  const response = await fetch(path, {
    ...init,
    headers: { authorization: `Bearer ${state.key}`, ...(init.headers || {}) },
  });
  if (!response.ok) {
    let problem = { code: `HTTP_${response.status}`, detail: response.statusText };
    try {
      problem = await response.json();
    } catch {}
    const error = new Error(`${problem.code}: ${problem.detail}`);
    error.problem = problem;
    error.status = response.status;
    throw error;
  }
  return response;
}

const json = async (path, init) => (await api(path, init)).json();

function log(text) {
  const list = $('log');
  list.prepend(el('li', {}, `${new Date().toTimeString().slice(0, 8)}  ${text}`));
  while (list.children.length > 100) list.lastChild.remove();
}

// ---- counts and throughput ----------------------------------------------------------------

function showCounts(counts) {
  for (const name of ['pending', 'processing', 'delayed', 'dlq', 'completed']) {
    $(`c-${name}`).textContent = counts[name];
  }
  const now = Date.now();
  state.completed.push([now, counts.completed]);
  state.completed = state.completed.filter(([t]) => now - t <= 120_000);
  drawThroughput();
}

function drawThroughput() {
  const points = state.completed;
  const svg = $('throughput');
  if (points.length < 2) return;
  const rates = [];
  for (let i = 1; i < points.length; i++) {
    const dt = (points[i][0] - points[i - 1][0]) / 1000;
    rates.push([points[i][0], dt > 0 ? (points[i][1] - points[i - 1][1]) / dt : 0]);
  }
  const max = Math.max(1, ...rates.map(([, r]) => r));
  const now = Date.now();
  const path = rates
    .map(
      ([t, r], i) =>
        `${i === 0 ? 'M' : 'L'}${(300 - ((now - t) / 120_000) * 300).toFixed(1)},${(58 - (r / max) * 54).toFixed(1)}`,
    )
    .join(' ');
  svg.innerHTML = `<path d="${path}" fill="none" stroke="#3fb950" stroke-width="1.5"/>`;
  const recent = points.filter(([t]) => now - t <= 10_000);
  const rate =
    recent.length > 1
      ? (recent.at(-1)[1] - recent[0][1]) / ((recent.at(-1)[0] - recent[0][0]) / 1000 || 1)
      : 0;
  $('rate').textContent = rate.toFixed(1);
}

// ---- workers ----------------------------------------------------------------------------

async function refreshWorkers() {
  const { workers, autoscaler } = await json('/v1/workers');
  state.workers = workers;
  const body = $('workers');
  body.replaceChildren(
    ...workers.map((w) =>
      el(
        'tr',
        { class: w.alive ? '' : 'dead', 'data-worker': w.id, 'data-alive': String(w.alive) },
        el('td', {}, w.id, el('div', { class: 'dim' }, `pid ${w.pid}`)),
        el('td', {}, el('span', { class: `state ${w.status}` }, w.status)),
        el('td', {}, `${(w.heartbeatAgeMs / 1000).toFixed(1)} s ago`),
        el('td', {}, `${w.processed}${w.failed ? ` (${w.failed} failed)` : ''}`),
        el(
          'td',
          {},
          w.current.map((c) => state.jobs.get(c.taskId)?.name ?? c.input).join(', ') || '–',
        ),
      ),
    ),
  );
  $('scaler').textContent = autoscaler
    ? `autoscaler: ${autoscaler.replicas.length} running, desired ${autoscaler.desired}${autoscaler.lastDecision ? ` · last: ${autoscaler.lastDecision}` : ''}`
    : '';
}

// ---- jobs ---------------------------------------------------------------------------------

async function thumb(url) {
  if (state.thumbs.has(url)) return state.thumbs.get(url);
  const blob = await (await api(url)).blob();
  const objectUrl = URL.createObjectURL(blob);
  state.thumbs.set(url, objectUrl);
  return objectUrl;
}

function renderJob(job) {
  state.jobs.set(job.id, job);
  let card = document.querySelector(`[data-job="${job.id}"]`);
  if (!card) {
    card = el('div', { class: 'job', 'data-job': job.id });
    $('jobs').prepend(card);
    while ($('jobs').children.length > 24) $('jobs').lastChild.remove();
  }
  card.dataset.state = job.state;
  const before = el('img', { alt: 'before', 'data-role': 'before' });
  const after =
    job.state === 'completed'
      ? el('img', { alt: 'after', 'data-role': 'after' })
      : el('div', { class: 'none' }, job.state === 'dead' ? 'no result' : '…');
  card.replaceChildren(
    el(
      'div',
      {},
      el('span', { class: `state ${job.state}`, 'data-role': 'state' }, job.state),
      ' ',
      job.name,
    ),
    el('div', { class: 'thumbs' }, before, after),
    el(
      'div',
      { class: 'dim' },
      `attempts ${job.attempts}${job.worker ? ` · ${job.worker}` : ''}${job.timings.durationMs ? ` · ${Math.round(job.timings.durationMs)} ms` : ''}`,
    ),
    job.error ? el('div', { class: 'err' }, `${job.error.code}: ${job.error.message}`) : '',
  );
  thumb(job.links.input)
    .then((src) => (before.src = src))
    .catch(() => {});
  if (job.state === 'completed')
    thumb(job.links.result)
      .then((src) => (after.src = src))
      .catch(() => {});
}

async function refreshJobs() {
  const { jobs } = await json('/v1/jobs?limit=24');
  for (const job of jobs.reverse()) renderJob(job);
}

// ---- dead letters -------------------------------------------------------------------------

async function refreshDlq() {
  let page;
  try {
    page = await json('/v1/dlq?limit=50');
  } catch (error) {
    if (error.status === 403) {
      $('dlq').replaceChildren(
        el(
          'tr',
          {},
          el('td', { colspan: 5, class: 'dim' }, 'This key may not see the DLQ (admin role).'),
        ),
      );
      return;
    }
    throw error;
  }
  $('dlq').replaceChildren(
    ...page.entries.map((entry) =>
      el(
        'tr',
        { 'data-dead': entry.id },
        el('td', {}, entry.name),
        el('td', {}, el('code', {}, entry.error.code)),
        el('td', { class: 'dim' }, entry.error.message),
        el('td', {}, entry.attempts),
        el(
          'td',
          {},
          el(
            'button',
            { class: 'small', 'data-retry': entry.id, onclick: () => retry([entry.id]) },
            'Retry',
          ),
        ),
      ),
    ),
  );
}

async function retry(ids) {
  const status = $('dlq-status');
  try {
    const body = ids ? { ids } : { all: true };
    const outcome = await json('/v1/dlq/retry', {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    status.className = 'status good';
    status.textContent = `${outcome.retried.length} retried`;
    log(`retried ${outcome.retried.length} dead letter(s)`);
  } catch (error) {
    status.className = 'status bad';
    status.textContent = error.message;
  }
  await refreshDlq();
}

// ---- submit and the pipeline builder ------------------------------------------------------

function paramInput(param, step) {
  if (param.values) {
    const select = el(
      'select',
      { 'data-param': param.name },
      ...param.values.map((v) => el('option', { value: v }, v)),
    );
    select.value = step.params[param.name] ?? param.default ?? param.values[0];
    step.params[param.name] = select.value;
    select.addEventListener('change', () => {
      step.params[param.name] = select.value;
      showSpec();
    });
    return select;
  }
  if (param.type === 'boolean') {
    const box = el('input', { type: 'checkbox', 'data-param': param.name });
    box.checked = Boolean(step.params[param.name] ?? param.default);
    box.addEventListener('change', () => {
      step.params[param.name] = box.checked;
      showSpec();
    });
    return box;
  }
  const input = el('input', {
    type: 'number',
    'data-param': param.name,
    min: param.min,
    max: param.max,
    step: param.integer ? 1 : 'any',
    placeholder: param.default ?? '',
    title: param.allowed,
  });
  if (step.params[param.name] !== undefined) input.value = step.params[param.name];
  input.addEventListener('input', () => {
    if (input.value === '') delete step.params[param.name];
    else step.params[param.name] = Number(input.value);
    showSpec();
  });
  return input;
}

function renderSteps() {
  $('steps').replaceChildren(
    ...state.steps.map((step, index) => {
      const filter = state.filters.find((f) => f.name === step.name);
      return el(
        'li',
        { 'data-step': step.name },
        el('strong', {}, step.name),
        ...(filter?.params ?? []).map((p) => el('label', {}, `${p.name} `, paramInput(p, step))),
        el(
          'button',
          {
            type: 'button',
            class: 'small',
            onclick: () => {
              state.steps.splice(index, 1);
              renderSteps();
            },
          },
          '✕',
        ),
      );
    }),
  );
  showSpec();
}

function currentSpec() {
  return {
    steps: state.steps.map((s) =>
      Object.keys(s.params).length ? { name: s.name, params: s.params } : { name: s.name },
    ),
    output: { format: $('format-select').value },
  };
}

function showSpec() {
  $('spec').textContent = JSON.stringify(currentSpec());
}

async function loadFilters() {
  const { filters, outputFormats } = await json('/v1/filters');
  state.filters = filters;
  $('filter-select').replaceChildren(
    ...filters.map((f) => el('option', { value: f.name, title: f.description }, f.name)),
  );
  $('format-select').replaceChildren(...outputFormats.map((f) => el('option', { value: f }, f)));
  $('format-select').value = 'webp';
  $('format-select').addEventListener('change', showSpec);
  state.steps = [{ name: 'resize', params: { width: 320 } }];
  renderSteps();
}

function chooseFiles(files) {
  state.files = [...files];
  $('chosen').textContent = state.files.map((f) => f.name).join(', ');
}

async function submit(event) {
  event.preventDefault();
  const status = $('submit-status');
  if (state.files.length === 0) {
    status.className = 'status bad';
    status.textContent = 'Choose or drop at least one image.';
    return;
  }
  const form = new FormData();
  form.set('pipeline', JSON.stringify(currentSpec()));
  for (const file of state.files) form.append('images', file, file.name);
  try {
    const answer = await json('/v1/jobs', {
      method: 'POST',
      body: form,
      headers: { 'idempotency-key': crypto.randomUUID() },
    });
    status.className = 'status good';
    status.textContent = `Accepted: ${answer.jobs.length} job(s), batch ${answer.batchId.slice(0, 8)}`;
    log(`submitted ${answer.jobs.map((j) => j.name).join(', ')}`);
    for (const job of answer.jobs) renderJob(await json(`/v1/jobs/${job.id}`));
  } catch (error) {
    status.className = 'status bad';
    status.textContent = `${error.status} ${error.message}`;
  }
}

// ---- events -------------------------------------------------------------------------------

function handle(event, data) {
  if (event === 'hello' || event === 'queue') showCounts(data.counts);
  if (event === 'job') renderJob(data);
  if (event === 'job' && data.state === 'dead') refreshDlq();
  if (event === 'worker') {
    log(`worker ${data.id} ${data.change}`);
    refreshWorkers();
  }
  if (event === 'scaler') refreshWorkers();
}

async function follow() {
  for (;;) {
    try {
      const response = await api('/v1/events');
      $('connection').textContent = 'live';
      $('connection').className = 'pill ok';
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let type = 'message';
          const data = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) type = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length) handle(type, JSON.parse(data.join('\n')));
          end = buffer.indexOf('\n\n');
        }
      }
    } catch (error) {
      if (error.status === 401) return showLogin('That key was refused.');
    }
    $('connection').textContent = 'reconnecting…';
    $('connection').className = 'pill bad';
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

// ---- start --------------------------------------------------------------------------------

function showLogin(message) {
  $('app').hidden = true;
  $('login').hidden = false;
  if (message) $('connection').textContent = message;
}

async function start() {
  $('login').hidden = true;
  $('app').hidden = false;
  await Promise.all([loadFilters(), refreshWorkers(), refreshJobs(), refreshDlq()]);
  setInterval(() => refreshWorkers().catch(() => {}), 1000);
  follow();
}

function init() {
  const match = /key=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem('imgq-key', decodeURIComponent(match[1]));
    history.replaceState(null, '', location.pathname);
  }
  state.key = sessionStorage.getItem('imgq-key') ?? '';
  $('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    state.key = $('key-input').value;
    sessionStorage.setItem('imgq-key', state.key);
    start().catch((error) => showLogin(error.message));
  });
  $('files').addEventListener('change', () => chooseFiles($('files').files));
  const drop = $('drop');
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    chooseFiles(event.dataTransfer.files);
  });
  $('add-step').addEventListener('click', () => {
    state.steps.push({ name: $('filter-select').value, params: {} });
    renderSteps();
  });
  $('submit-form').addEventListener('submit', submit);
  $('retry-all').addEventListener('click', () => retry(null));
  if (state.key) start().catch((error) => showLogin(error.message));
  else showLogin('');
}

init();
