// The dashboard's behaviour: it reads and steers the emulator through the admin API only, with the admin token,
// when one is needed, kept in sessionStorage (this tab only). It stays live through GET /_emulator/events
// (server-sent events, read with fetch so the token travels in a header, never in the URL): each change reloads
// only the table page or job it touches, a little later, so a burst of changes costs one read. Each view says how
// to show one collection: Kubernetes Jobs and Pods, MRS job objects, v2 executions and Sahara/v1.1 executions,
// COS jobs.
"use strict";

const TOKEN_KEY = "cloud-job-emulator-admin-token";
const JOURNAL_ROWS = 100; // the newest entries shown
const RELOAD_MS = 150; // changes within this long after one cost one read
const RETRY_MS = 2000; // a lost event stream is opened again after this long

function k8sPhase(status) {
  const conditions = (status && status.conditions) || [];
  const on = new Set(conditions.filter((c) => c.status === "True").map((c) => c.type));
  for (const kind of ["Complete", "Failed", "Suspended"]) if (on.has(kind)) return kind;
  return status && status.startTime ? "Running" : "Pending";
}

function field(item, pointer) {
  const value = item.object[pointer];
  return value === null || value === undefined ? "" : value;
}

function journalKey(entry) { return `${entry.request_id} ${entry.time} ${entry.method} ${entry.path} ${entry.status}`; }

function millis(value) { return value ? new Date(value).toISOString().replace(".000Z", "Z") : ""; }

function byTime(steps) {
  return steps.filter((s) => s[0]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map((s) => s[0] + "  " + s[1]);
}

function conditionSteps(status) {
  return (status.conditions || []).map((c) => [c.lastTransitionTime, `${c.type}=${c.status}${c.reason ? " (" + c.reason + ")" : ""}`]);
}

const POD_FIELDS = ["/metadata/labels/job-name", "/status/phase", "/spec/nodeName", "/status/containerStatuses",
                    "/status/startTime"];

function podRow(item) {
  const restarts = (item.object["/status/containerStatuses"] || []).reduce((n, c) => n + (c.restartCount || 0), 0);
  return [item.scope, item.name, field(item, "/metadata/labels/job-name"), field(item, "/status/phase"),
          field(item, "/spec/nodeName"), restarts, field(item, "/status/startTime")];
}

const MRS_TARGET = (job) => ({ project_id: job.scope, job_execution_id: job.name });

function views() {
  return [
    {
      id: "kubernetes", table: "kubernetes-jobs", service: "kubernetes", title: "Kubernetes Jobs", kind: "jobs",
      scopeLabel: "Namespace", hasPods: true,
      fields: ["/metadata/namespace", "/metadata/name", "/status", "/metadata/creationTimestamp"],
      statuses: ["Running", "Complete", "Failed", "Suspended"],
      where: (status) => (status === "Running" ? "/status/active" : "/status/conditions/*/type=" + status),
      columns: ["Namespace", "Name", "Status", "Conditions", "Active", "Succeeded", "Failed", "Created"],
      row: (item) => {
        const status = item.object["/status"] || {};
        const conditions = (status.conditions || []).filter((c) => c.status === "True").map((c) => c.type);
        return [item.scope, item.name, k8sPhase(status), conditions.join(", "), status.active || 0,
                status.succeeded || 0, status.failed || 0, field(item, "/metadata/creationTimestamp")];
      },
      transitions: ["Complete", "Failed"],
      finished: (doc) => ["Complete", "Failed"].includes(k8sPhase(doc.status)),
      target: (job) => ({ namespace: job.scope, name: job.name }),
      history: (doc) => {
        const status = doc.status || {};
        const steps = [[doc.metadata.creationTimestamp, "created"], ...conditionSteps(status)];
        if (status.startTime) steps.push([status.startTime, "started: Running"]);
        if (status.completionTime) steps.push([status.completionTime, "completed"]);
        return byTime(steps);
      },
    },
    {
      id: "pods", table: "kubernetes-pods", service: "kubernetes", title: "Kubernetes Pods", kind: "pods",
      scopeLabel: "Namespace", noun: "pods",
      fields: POD_FIELDS,
      statuses: ["Pending", "Running", "Succeeded", "Failed"],
      where: (status) => "/status/phase=" + status,
      extra: { label: "Job", where: (value) => "/metadata/labels/job-name=" + value },
      columns: ["Namespace", "Pod", "Job", "Phase", "Node", "Restarts", "Started"],
      row: podRow,
      transitions: [],
      history: (doc) => {
        const status = doc.status || {};
        const steps = [[doc.metadata.creationTimestamp, "created"], ...conditionSteps(status)];
        if (status.startTime) steps.push([status.startTime, "started"]);
        for (const c of status.containerStatuses || []) {
          const ended = c.state && c.state.terminated;
          if (ended) steps.push([ended.finishedAt, `container ${c.name}: ${ended.reason} (exit ${ended.exitCode})`]);
        }
        return byTime(steps).concat(["now  phase " + (status.phase || "")]);
      },
    },
    {
      id: "mrs", table: "mrs-jobs", service: "mrs", title: "MRS job objects", kind: "mrs_jobs", scopeLabel: "Project",
      fields: ["/id", "/name", "/type", "/created_at", "/updated_at"],
      statuses: [],
      columns: ["Project", "Id", "Name", "Type", "Created", "Updated"],
      row: (item) => [item.scope, item.name, field(item, "/name"), field(item, "/type"), field(item, "/created_at"),
                      field(item, "/updated_at")],
      transitions: [],
      history: (doc) => [doc.created_at + "  created", doc.updated_at ? doc.updated_at + "  last updated" : null]
        .filter(Boolean),
    },
    {
      id: "mrs-v2", table: "mrs-executions", service: "mrs", title: "MRS v2 job executions", kind: "mrs_job_executions",
      scopeLabel: "Project", noun: "executions",
      fields: ["/job_name", "/job_type", "/job_state", "/job_result", "/job_progress", "/submitted_time"],
      statuses: ["NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING", "FINISHED", "FAILED", "KILLED"],
      where: (status) => "/job_state=" + status,
      columns: ["Project", "Job id", "Name", "Type", "State", "Result", "Progress", "Submitted"],
      row: (item) => [item.scope, item.name, field(item, "/job_name"), field(item, "/job_type"),
                      field(item, "/job_state"), field(item, "/job_result"), field(item, "/job_progress"),
                      millis(item.object["/submitted_time"])],
      transitions: ["RUNNING", "FINISHED", "FAILED", "KILLED"],
      finished: (doc) => ["FINISHED", "FAILED", "KILLED"].includes(doc.job_state),
      target: MRS_TARGET,
      history: (doc) => byTime([[millis(doc.submitted_time), "submitted"], [millis(doc.started_time), "started"],
                                [millis(doc.finished_time), `ended: ${doc.job_state}/${doc.job_result}`]])
        .concat([`now  ${doc.job_state} (${doc.job_result})`]),
    },
    {
      id: "mrs-edp", table: "mrs-edp-executions", service: "mrs", title: "MRS executions (Sahara EDP and v1.1 job-exes)",
      kind: "mrs_edp_executions", scopeLabel: "Project", noun: "executions",
      fields: ["/status", "/job_id", "/native/job_name", "/cluster_id", "/created_at"],
      statuses: ["PENDING", "RUNNING", "SUCCEEDED", "FAILED", "KILLED", "DONEWITHERROR"],
      where: (status) => "/status=" + status,
      columns: ["Project", "Execution", "API", "Job", "Status", "Cluster", "Created"],
      row: (item) => {
        const native = item.object["/native/job_name"];
        return [item.scope, item.name, native === null || native === undefined ? "Sahara EDP" : "v1.1 job-exes",
                native || field(item, "/job_id"), field(item, "/status"), field(item, "/cluster_id"),
                field(item, "/created_at")];
      },
      transitions: ["RUNNING", "SUCCEEDED", "FAILED", "KILLED", "DONEWITHERROR"],
      finished: (doc) => ["SUCCEEDED", "FAILED", "KILLED", "DONEWITHERROR"].includes(doc.status),
      target: MRS_TARGET,
      history: (doc) => byTime([[millis(doc.created_ms), "created"], [millis(doc.start_ms), "started"],
                                [millis(doc.end_ms), "ended: " + doc.status]]).concat(["now  " + doc.status]),
    },
    {
      id: "cos_batch", table: "cos_batch-jobs", service: "cos_batch", title: "COS Batch jobs", kind: "cos_jobs", scopeLabel: "APPID",
      fields: ["/JobId", "/Status", "/Priority", "/ProgressSummary", "/Description", "/CreationTime"],
      statuses: ["Active", "Cancelled", "Cancelling", "Complete", "Completing", "Failed", "Failing", "New",
                 "Paused", "Pausing", "Preparing", "Ready", "Suspended"],
      where: (status) => "/Status=" + status,
      columns: ["APPID", "Job", "Status", "Priority", "Progress", "Description", "Created"],
      row: (item) => {
        const progress = item.object["/ProgressSummary"] || {};
        const total = progress.TotalNumberOfTasks;
        const done = (progress.NumberOfTasksSucceeded || 0) + (progress.NumberOfTasksFailed || 0);
        return [item.scope, item.name, field(item, "/Status"), field(item, "/Priority"),
                total ? `${done}/${total}` : "", field(item, "/Description"), field(item, "/CreationTime")];
      },
      transitions: ["Ready", "Cancelled", "Paused", "Failed", "Complete"],
      finished: (doc) => ["Complete", "Cancelled", "Failed"].includes(doc.Status),
      target: (job) => ({ appid: job.scope, job_id: job.name }),
      history: (doc) => {
        const steps = [[doc.CreationTime, "created"]];
        if (doc.SuspendedDate) steps.push([doc.SuspendedDate, "suspended: " + (doc.SuspendedCause || "")]);
        if (doc.TerminationDate) steps.push([doc.TerminationDate, "ended: " + doc.Status]);
        steps.push(["now", doc.Status + (doc.StatusUpdateReason ? " (" + doc.StatusUpdateReason + ")" : "")]);
        return steps.filter((s) => s[0]).map((s) => s[0] + "  " + s[1]);
      },
    },
  ].map((view) => ({ noun: "jobs", extra: null, finished: () => false, ...view, scope: "", status: "", extraValue: "", q: "", offset: 0,
                     limit: 10, total: 0, items: [], scopes: [] }));
}

// Focus `element` once x-show has shown it (a few frames at most), so a prompt takes the keyboard as it appears.
function focusWhenShown(element, frames = 10) {
  if (element.offsetParent !== null) element.focus();
  else if (frames > 0) requestAnimationFrame(() => focusWhenShown(element, frames - 1));
}

function emptyFaultForm() {
  return { service: "", operation: "", method: "", path: "", status: "", error_code: "", message: "", delay_ms: "",
           times: "", after: "", truncate_bytes: "", probability: "", seed: "", reset: false };
}

document.addEventListener("alpine:init", () => {
  window.Alpine.data("dashboard", () => ({
    token: sessionStorage.getItem(TOKEN_KEY) || "",
    tokenInput: "",
    needToken: false,
    message: "",
    messageIsError: false,
    health: {},
    clock: { now: "", frozen: true },
    setTo: "",
    views: views(),
    job: null,
    journal: [],
    journalFilter: { service: "", operation: "", status: "" },
    request: null,
    faults: [],
    faultForm: emptyFaultForm(),
    operations: [],
    busy: false,
    live: false,
    listening: false,
    pending: {},
    arriving: null, // while the journal is read: the entries the event stream brings meanwhile

    get serviceNames() { return Object.keys(this.health.services || {}); },

    async start() {
      this.$watch("needToken", (need) => { if (need) focusWhenShown(document.getElementById("token")); });
      await this.refresh();
      await this.loadOperations();
      this.listen();
    },

    // The services' operation names, for the fault form (read again after a sign-in if they could not be read)
    async loadOperations() {
      try {
        const doc = await this.api("GET", "openapi.json");
        this.operations = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId))
          .filter((id) => !id.startsWith("admin.")).map((id) => id.split(".")[1]).sort();
      } catch (error) { /* the token prompt says why */ }
    },

    // The event stream: read with fetch (EventSource cannot send the token's header), parsed here, opened again
    // RETRY_MS after it ends; each (re)connection reads everything once, so nothing missed meanwhile stays missed.
    async listen() {
      if (this.listening || this.needToken) return;
      this.listening = true;
      while (!this.needToken) {
        try {
          const headers = { Accept: "text/event-stream" };
          const sent = this.token;
          if (sent) headers["X-Emulator-Admin-Token"] = sent;
          const response = await fetch("/_emulator/events", { headers, cache: "no-store" });
          if (response.status === 401 && sent === this.token) { this.needToken = true; break; }
          if (response.status === 401) continue; // sent before a sign-in: open it again with the token now
          if (!response.ok) throw new Error(`the event stream answered ${response.status}`);
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = "";
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += value;
            let end;
            while ((end = buffer.indexOf("\n\n")) >= 0) {
              this.onFrame(buffer.slice(0, end));
              buffer = buffer.slice(end + 2);
            }
          }
        } catch (error) { /* shown below; opened again */ }
        this.live = false;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
      this.listening = false;
    },

    onFrame(frame) {
      let name = "message";
      const data = [];
      for (const line of frame.split("\n")) {
        if (line.startsWith("event: ")) name = line.slice(7);
        else if (line.startsWith("data: ")) data.push(line.slice(6));
      }
      if (data.length) this.onEvent(name, JSON.parse(data.join("\n")));
    },

    onEvent(name, data) {
      if (name === "hello") {
        this.live = true;
        this.clock = data.clock;
        this.faults = data.faults;
        this.refresh(true);
      } else if (name === "change") {
        for (const view of this.views) if (view.kind === data.kind) this.later(view.id, () => this.loadView(view));
        const job = this.job;
        if (job && (data.kind === job.view.kind || data.kind === "job_transitions" || (job.view.hasPods && data.kind === "pods"))) {
          this.later("job", () => this.loadJob());
        }
      } else if (name === "journal") {
        if (this.arriving) this.arriving.push(data);
        if (this.journalMatches(data) && !this.journal.some((entry) => journalKey(entry) === journalKey(data))) {
          this.journal = [data, ...this.journal].slice(0, JOURNAL_ROWS);
        }
      } else if (name === "journal-cleared") {
        this.journal = [];
      } else if (name === "clock") {
        this.clock = data;
      } else if (name === "faults") {
        this.faults = data.faults;
      } else if (name === "reset" || name === "resync") {
        this.later("all", () => this.refresh(true));
      }
    },

    // Run `call` once RELOAD_MS from the first ask under `key`: a burst of changes costs one read. An ask while
    // that read is under way runs it once more when it ends, since the read may have missed what was asked for.
    later(key, call) {
      const asked = this.pending[key];
      if (asked) {
        if (asked.running) asked.again = true;
        return;
      }
      const entry = { running: false, again: false };
      const run = async () => {
        entry.running = true;
        entry.again = false;
        try { await call(); } catch (error) { this.say(error.message, true); }
        entry.running = false;
        if (entry.again) setTimeout(run, RELOAD_MS);
        else delete this.pending[key];
      };
      this.pending[key] = entry;
      setTimeout(run, RELOAD_MS);
    },

    journalMatches(entry) {
      const { service, operation, status } = this.journalFilter;
      return (!service.trim() || entry.service === service.trim()) && (!operation.trim() || entry.operation === operation.trim())
        && (!String(status).trim() || String(entry.status) === String(status).trim());
    },

    say(text, isError = false) { this.message = text; this.messageIsError = isError; },

    async api(method, path, body) {
      const headers = { "Content-Type": "application/json" };
      const sent = this.token;
      if (sent) headers["X-Emulator-Admin-Token"] = sent;
      const response = await fetch("/_emulator/" + path,
        { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const answer = await response.json().catch(() => ({}));
      if (response.status === 401) {
        // a refusal of a request sent before a sign-in (or with a token since replaced) says nothing of the token now
        if (sent !== this.token) throw new Error("the admin token changed while this was asked");
        this.needToken = true;
        if (this.token) { // a token was given and refused: forget it and say so
          this.token = "";
          sessionStorage.removeItem(TOKEN_KEY);
          this.say("That admin token was refused; give the one the emulator was started with.", true);
        }
        throw new Error(answer.message || "the admin token is wanted");
      }
      if (!response.ok) throw new Error(answer.message || `${method} ${path}: ${response.status}`);
      return answer;
    },

    async act(what, call) {
      try {
        const result = await call();
        this.say(what);
        await this.refresh(true);
        return result;
      } catch (error) {
        this.say(error.message, true);
        return null;
      }
    },

    login() {
      this.token = this.tokenInput.trim();
      sessionStorage.setItem(TOKEN_KEY, this.token);
      this.tokenInput = "";
      this.needToken = false;
      this.refresh(true);
      this.listen();
      if (!this.operations.length) this.loadOperations();
    },

    async refresh(force = false) {
      if ((this.busy && !force) || this.needToken) return;
      this.busy = true;
      try {
        this.health = await (await fetch("/_emulator/health")).json();
        this.clock = await this.api("GET", "clock");
        await Promise.all([...this.views.map((view) => this.loadView(view)), this.loadJournal(), this.loadFaults(),
                           this.loadJob()]);
      } catch (error) {
        if (!this.needToken) this.say(error.message, true);
      } finally {
        this.busy = false;
      }
    },

    async loadView(view) {
      const query = new URLSearchParams({ offset: view.offset, limit: view.limit, fields: view.fields.join(",") });
      if (view.scope) query.set("scope", view.scope);
      if (view.q) query.set("q", view.q);
      if (view.status) query.append("where", view.where(view.status));
      if (view.extra && view.extraValue.trim()) query.append("where", view.extra.where(view.extraValue.trim()));
      const asked = (view.reads = (view.reads || 0) + 1);
      const [page, scopes] = await Promise.all([
        this.api("GET", `collections/${view.kind}?${query}`),
        this.api("GET", `collections/${view.kind}/scopes`)]);
      if (asked !== view.reads) return; // a newer read was asked for meanwhile: its answer is shown
      view.items = page.items;
      view.total = page.total;
      view.scopes = scopes.scopes;
    },

    lastPage(view) { return Math.max(0, Math.floor((view.total - 1) / view.limit) * view.limit); },

    pageText(view) {
      if (!view.total) return "0 " + view.noun;
      return `${view.offset + 1}–${Math.min(view.offset + view.limit, view.total)} of ${view.total}`;
    },

    async openJob(view, item) {
      this.job = { view, scope: item.scope, name: item.name, object: null, steps: [], pods: [] };
      await this.loadJob();
      this.$nextTick(() => document.getElementById("job-title").focus());
    },

    async loadJob() {
      if (!this.job) return;
      const job = this.job;
      const key = (scope, name) => new URLSearchParams({ scope, name });
      const pods = new URLSearchParams({ scope: job.scope, where: "/metadata/labels/job-name=" + job.name,
                                         fields: POD_FIELDS.join(","), limit: 100 });
      const [page, recorded, owned] = await Promise.all([
        this.api("GET", `collections/${job.view.kind}?${key(job.scope, job.name)}`),
        this.api("GET", `collections/job_transitions?${key(job.view.service, job.scope + "/" + job.name)}`),
        job.view.hasPods ? this.api("GET", `collections/pods?${pods}`) : { items: [] }]);
      if (this.job !== job) return;
      job.pods = owned.items;
      job.object = page.items.length ? page.items[0].object : { gone: true };
      job.steps = recorded.items.length ? recorded.items[0].object.steps.map((s) => `${s.at}  ${s.from} -> ${s.to}`) : [];
    },

    // The moves the admin API allows this job now: none once it has finished (or is gone).
    moves(job) {
      if (!job || !job.object || job.object.gone || job.view.finished(job.object)) return [];
      return job.view.transitions;
    },

    async transition(target) {
      const job = this.job;
      await this.act(`${job.scope}/${job.name}: moved to ${target}`, () =>
        this.api("POST", "transitions", { service: job.view.service, ...job.view.target(job), status: target }));
    },

    viewOf(id) { return this.views.find((view) => view.id === id); },

    // The newest entries, and those the event stream brought while they were read (each entry once).
    async loadJournal() {
      const query = new URLSearchParams({ limit: JOURNAL_ROWS });
      for (const [name, value] of Object.entries(this.journalFilter)) if (String(value).trim()) query.set(name, String(value).trim());
      const arrived = [];
      this.arriving = arrived;
      let read;
      try {
        read = (await this.api("GET", "requests?" + query)).requests.reverse();
      } finally {
        if (this.arriving === arrived) this.arriving = null;
      }
      const seen = new Set(read.map(journalKey));
      const missed = arrived.filter((entry) => !seen.has(journalKey(entry)) && this.journalMatches(entry)).reverse();
      this.journal = [...missed, ...read].slice(0, JOURNAL_ROWS);
    },

    // An entry from the event stream has no bodies; with --journal-bodies they are read when it is shown.
    async showRequest(entry) {
      this.request = entry;
      this.$nextTick(() => document.getElementById("request-title").focus());
      if (!entry.bodies || entry.request_body !== undefined) return;
      const kept = (await this.api("GET", "requests?" + new URLSearchParams({ limit: 1000 }))).requests
        .find((e) => e.request_id === entry.request_id && e.time === entry.time);
      if (kept && this.request === entry) this.request = kept;
    },

    entryFields(entry) {
      const { request_body: _request, response_body: _response, bodies: _bodies, ...shown } = entry;
      return shown;
    },

    // A kept body as text: JSON indented, anything else as it is.
    bodyText(text) {
      if (!text) return "(empty)";
      try { return JSON.stringify(JSON.parse(text), null, 2); } catch (error) { return text; }
    },

    async loadFaults() { this.faults = (await this.api("GET", "faults")).faults; },

    matchText(rule) {
      return [rule.service, rule.operation, rule.method, rule.path && "path ~ " + rule.path,
              rule.after ? "after " + rule.after : "", rule.times !== null ? rule.times + " times" : "",
              rule.probability !== null ? "p=" + rule.probability + (rule.seed !== null ? " seed " + rule.seed : "") : ""]
        .filter(Boolean).join(" ");
    },

    answerText(rule) {
      const answer = rule.reset ? "close the connection" : rule.truncate_bytes !== null
        ? `cut after ${rule.truncate_bytes} bytes` : rule.status ? `${rule.status} ${rule.error_code || ""}` : "the real answer";
      return (rule.delay_ms ? `${rule.delay_ms} ms late, then ` : "") + answer;
    },

    async addFault() {
      const rule = {};
      for (const [name, value] of Object.entries(this.faultForm)) {
        if (name === "reset") { if (value) rule.reset = true; continue; }
        const text = String(value).trim();
        if (!text) continue;
        rule[name] = ["status", "delay_ms", "times", "after", "truncate_bytes", "seed"].includes(name) ? Number(text)
          : name === "probability" ? Number(text) : text;
      }
      const added = await this.act("fault rule added", () => this.api("POST", "faults", rule));
      if (added) { this.faultForm = emptyFaultForm(); this.say(`fault rule ${added.id} added`); }
    },

    clearFaults() { return this.act("every fault rule removed", () => this.api("DELETE", "faults")); },
    advance(seconds) {
      return this.act(`clock advanced by ${seconds} s`, () => this.api("POST", "clock", { advance_seconds: seconds }));
    },
    freeze(frozen) {
      return this.act(frozen ? "clock frozen" : "clock running", () => this.api("POST", "clock", { frozen }));
    },
    setTime() { return this.act(`clock set to ${this.setTo}`, () => this.api("POST", "clock", { set: this.setTo.trim() })); },
    reset() {
      if (!confirm("Reset everything to the fixtures and the start time?")) return null;
      this.job = null;
      return this.act("reset", () => this.api("POST", "reset"));
    },
    async snapshot() {
      const saved = await this.act("snapshot saved", () => this.api("POST", "snapshot"));
      if (saved) this.say(`snapshot saved to ${saved.saved} (revision ${saved.revision}, clock ${saved.clock.now})`);
    },
  }));
});
