// The dashboard's behaviour: it reads and steers the emulator through the admin API only, polling it every
// second (the open page, the shown table pages and the newest journal entries), with the admin token, when one
// is needed, kept in sessionStorage (this tab only). Each service's view says how to show its jobs.
"use strict";

const TOKEN_KEY = "cloud-job-emulator-admin-token";
const POLL_MS = 1000;
const JOURNAL_ROWS = 100; // the newest entries shown

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

function views() {
  return [
    {
      service: "kubernetes", title: "Kubernetes Jobs", kind: "jobs", scopeLabel: "Namespace",
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
      target: (job) => ({ namespace: job.scope, name: job.name }),
      history: (doc) => {
        const status = doc.status || {};
        const steps = [[doc.metadata.creationTimestamp, "created"]];
        if (status.startTime) steps.push([status.startTime, "started: Running"]);
        for (const c of status.conditions || []) {
          steps.push([c.lastTransitionTime, `${c.type}=${c.status}${c.reason ? " (" + c.reason + ")" : ""}`]);
        }
        if (status.completionTime) steps.push([status.completionTime, "completed"]);
        return steps.filter((s) => s[0]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
          .map((s) => s[0] + "  " + s[1]);
      },
    },
    {
      service: "mrs", title: "MRS job objects", kind: "mrs_jobs", scopeLabel: "Project",
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
      service: "cos_batch", title: "COS Batch jobs", kind: "cos_jobs", scopeLabel: "APPID",
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
      target: (job) => ({ appid: job.scope, job_id: job.name }),
      history: (doc) => {
        const steps = [[doc.CreationTime, "created"]];
        if (doc.SuspendedDate) steps.push([doc.SuspendedDate, "suspended: " + (doc.SuspendedCause || "")]);
        if (doc.TerminationDate) steps.push([doc.TerminationDate, "ended: " + doc.Status]);
        steps.push(["now", doc.Status + (doc.StatusUpdateReason ? " (" + doc.StatusUpdateReason + ")" : "")]);
        return steps.filter((s) => s[0]).map((s) => s[0] + "  " + s[1]);
      },
    },
  ].map((view) => ({ ...view, scope: "", status: "", q: "", offset: 0, limit: 25, total: 0, items: [], scopes: [] }));
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

    get serviceNames() { return Object.keys(this.health.services || {}); },

    async start() {
      await this.refresh();
      try {
        const doc = await this.api("GET", "openapi.json");
        this.operations = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId))
          .filter((id) => !id.startsWith("admin.")).map((id) => id.split(".")[1]).sort();
      } catch (error) { /* the token prompt says why */ }
      setInterval(() => this.refresh(), POLL_MS);
    },

    say(text, isError = false) { this.message = text; this.messageIsError = isError; },

    async api(method, path, body) {
      const headers = { "Content-Type": "application/json" };
      if (this.token) headers["X-Emulator-Admin-Token"] = this.token;
      const response = await fetch("/_emulator/" + path,
        { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const answer = await response.json().catch(() => ({}));
      if (response.status === 401) {
        this.needToken = true;
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
      if (view.status) query.set("where", view.where(view.status));
      const [page, scopes] = await Promise.all([
        this.api("GET", `collections/${view.kind}?${query}`),
        this.api("GET", `collections/${view.kind}/scopes`)]);
      view.items = page.items;
      view.total = page.total;
      view.scopes = scopes.scopes;
    },

    pageText(view) {
      if (!view.total) return "0 jobs";
      return `${view.offset + 1}–${Math.min(view.offset + view.limit, view.total)} of ${view.total}`;
    },

    async openJob(view, item) {
      this.job = { view, scope: item.scope, name: item.name, object: null, steps: [] };
      await this.loadJob();
      this.$nextTick(() => document.getElementById("job-title").focus());
    },

    async loadJob() {
      if (!this.job) return;
      const job = this.job;
      const key = (scope, name) => new URLSearchParams({ scope, name });
      const [page, recorded] = await Promise.all([
        this.api("GET", `collections/${job.view.kind}?${key(job.scope, job.name)}`),
        this.api("GET", `collections/job_transitions?${key(job.view.service, job.scope + "/" + job.name)}`)]);
      if (this.job !== job) return;
      job.object = page.items.length ? page.items[0].object : { gone: true };
      job.steps = recorded.items.length ? recorded.items[0].object.steps.map((s) => `${s.at}  ${s.from} -> ${s.to}`) : [];
    },

    async transition(target) {
      const job = this.job;
      await this.act(`${job.scope}/${job.name}: moved to ${target}`, () =>
        this.api("POST", "transitions", { service: job.view.service, ...job.view.target(job), status: target }));
    },

    async loadJournal() {
      const query = new URLSearchParams({ limit: JOURNAL_ROWS });
      for (const [name, value] of Object.entries(this.journalFilter)) if (String(value).trim()) query.set(name, String(value).trim());
      this.journal = (await this.api("GET", "requests?" + query)).requests.reverse();
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
    snapshot() { return this.act("snapshot saved", () => this.api("POST", "snapshot")); },
  }));
});
