// Tandem admin dashboard: polls /admin/api/* and draws uPlot charts. Plain script, no build step.
(function () {
  "use strict";
  const POLL_MS = 2000;
  const POINTS = 150;               // five minutes at one point per two seconds
  const keyStore = "tandem.admin.key";
  // A key may also arrive in the URL fragment (#key=...), which never reaches the server or its logs;
  // it is moved to sessionStorage and removed from the address bar.
  const fromFragment = new URLSearchParams(location.hash.slice(1)).get("key");
  if (fromFragment) {
    sessionStorage.setItem(keyStore, fromFragment);
    history.replaceState(null, "", location.pathname + location.search);
  }
  let key = sessionStorage.getItem(keyStore) || "";
  let previous = null;              // last stats sample, for rates
  let previousSeqs = new Map();     // channel -> {seq, time}, for per-channel rates
  const series = { t: [], conn: [], subs: [], fin: [], fout: [], pubs: [], p50: [], p99: [], slow: [] };

  const $ = (id) => document.getElementById(id);

  async function api(path, options) {
    const headers = Object.assign({ "Content-Type": "application/json" }, key ? { Authorization: "apikey " + key } : {});
    const response = await fetch("/admin/api/" + path, Object.assign({ headers }, options || {}));
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = body.error || { code: "http_" + response.status, message: response.statusText };
      throw Object.assign(new Error(error.code + ": " + error.message), { status: response.status });
    }
    return body;
  }

  function chart(id, labels, colors) {
    const el = $(id);
    const opts = {
      width: Math.max(300, el.clientWidth || 420), height: 180,
      scales: { x: { time: true } },
      series: [{}].concat(labels.map((label, i) => ({ label, stroke: colors[i], width: 1.5, points: { show: false } }))),
      axes: [{}, { size: 60 }],
      legend: { live: true },
    };
    return new uPlot(opts, [[]].concat(labels.map(() => [])), el);
  }

  const charts = {
    connections: chart("c-connections", ["connections", "subscriptions"], ["#2f6fed", "#9aa5b8"]),
    frames: chart("c-frames", ["in/s", "out/s"], ["#14a37f", "#2f6fed"]),
    pubs: chart("c-pubs", ["publications/s"], ["#8a4fd1"]),
    latency: chart("c-latency", ["p50", "p99"], ["#14a37f", "#c73e3e"]),
    slow: chart("c-slow", ["disconnects"], ["#c73e3e"]),
  };

  function push(name, value) {
    series[name].push(value);
    if (series[name].length > POINTS) series[name].shift();
  }

  function rate(now, before, field) {
    if (!before) return null;
    const seconds = (now.time - before.time) / 1000;
    return seconds > 0 ? Math.max(0, (now[field] - before[field]) / seconds) : null;
  }

  function fmt(n, digits) {
    if (n === null || n === undefined || Number.isNaN(n)) return "–";
    return Number(n).toLocaleString(undefined, { maximumFractionDigits: digits === undefined ? 1 : digits });
  }

  function onStats(s) {
    push("t", s.time / 1000);
    push("conn", s.connections);
    push("subs", s.subscriptions);
    push("fin", rate(s, previous, "framesIn"));
    push("fout", rate(s, previous, "framesOut"));
    const pubRate = rate(s, previous, "publications");
    push("pubs", pubRate);
    push("p50", s.latencyMs.p50);
    push("p99", s.latencyMs.p99);
    push("slow", previous ? s.slowConsumerDisconnects - previous.slowConsumerDisconnects : 0);
    previous = s;

    $("version").textContent = "v" + s.version;
    $("t-connections").textContent = fmt(s.connections, 0);
    $("t-transports").textContent = Object.entries(s.connectionsByTransport).map(([t, n]) => t + " " + n).join(" · ");
    $("t-subscriptions").textContent = fmt(s.subscriptions, 0);
    $("t-channels").textContent = fmt(s.channels, 0);
    $("t-pubs").textContent = fmt(pubRate);
    $("t-latency").textContent = fmt(s.latencyMs.p50, 2) + " / " + fmt(s.latencyMs.p99, 2) + " ms";
    $("t-slow").textContent = fmt(s.slowConsumerDisconnects, 0);

    charts.connections.setData([series.t, series.conn, series.subs]);
    charts.frames.setData([series.t, series.fin, series.fout]);
    charts.pubs.setData([series.t, series.pubs]);
    charts.latency.setData([series.t, series.p50, series.p99]);
    charts.slow.setData([series.t, series.slow]);
  }

  function row(cells) {
    const tr = document.createElement("tr");
    for (const cell of cells) {
      const td = document.createElement("td");
      td.textContent = cell;
      td.title = cell;
      tr.appendChild(td);
    }
    return tr;
  }

  function onChannels(body, now, clustered) {
    // each node lists the channels its own clients use: say which node when there are several
    $("channels-node").textContent = clustered ? "on " + body.node + " (each node lists its own)" : "";
    const tbody = $("channels").querySelector("tbody");
    tbody.replaceChildren();
    const seen = new Map();
    for (const c of body.channels) {
      const before = previousSeqs.get(c.channel);
      const perSecond = before && now > before.time ? (c.seq - before.seq) * 1000 / (now - before.time) : null;
      seen.set(c.channel, { seq: c.seq, time: now });
      tbody.appendChild(row([c.channel, fmt(c.subscribers, 0), fmt(c.seq, 0), fmt(perSecond), fmt(c.history, 0)]));
    }
    previousSeqs = seen;
  }

  function onDisconnects(body) {
    const tbody = $("disconnects").querySelector("tbody");
    tbody.replaceChildren();
    for (const d of body.disconnects.slice(0, 30)) {
      tbody.appendChild(row([new Date(d.time).toLocaleTimeString(), d.userId, d.connectionId, d.transport, String(d.code), d.reason]));
    }
  }

  function onNodes(body, now) {
    const tbody = $("nodes").querySelector("tbody");
    tbody.replaceChildren();
    for (const n of body.nodes) {
      const tr = row([n.id + (n.id === body.self ? " (this node)" : ""), n.address, fmt(n.connections, 0),
        new Date(n.started).toLocaleString(), fmt(Math.max(0, (now - n.lastHeartbeat) / 1000), 1) + " s ago"]);
      tr.dataset.node = n.id;
      if (n.id !== body.self) { // that node's own dashboard, for its channels and counters
        const link = document.createElement("a");
        link.href = "//" + n.address + "/admin/";
        link.textContent = n.address;
        tr.children[1].replaceChildren(link);
      }
      tbody.appendChild(tr);
    }
  }

  function setStatus(text, error) {
    const el = $("status");
    el.textContent = text;
    el.classList.toggle("error", !!error);
  }

  async function poll() {
    try {
      const [stats, channels, disconnects, nodes] = await Promise.all([api("stats"), api("channels?limit=20"),
        api("disconnects"), api("nodes")]);
      onStats(stats);
      onChannels(channels, stats.time, nodes.nodes.length > 1);
      onDisconnects(disconnects);
      onNodes(nodes, stats.time);
      setStatus("live · updated " + new Date(stats.time).toLocaleTimeString(), false);
    } catch (e) {
      setStatus(e.status === 401 ? "enter the admin key" : e.message, true);
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  function show(id, value) {
    $(id).textContent = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  }

  function onSubmit(formId, action, resultId) {
    $(formId).addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        show(resultId, await action());
      } catch (e) {
        show(resultId, e.message);
      }
    });
  }

  $("key").value = key;
  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    key = $("key").value.trim();
    sessionStorage.setItem(keyStore, key);
    setStatus("connecting…", false);
  });

  onSubmit("inspect-form", () => api("history?limit=20&channel=" + encodeURIComponent($("inspect-channel").value.trim())), "inspect-result");
  onSubmit("publish-form", () => {
    let payload;
    try {
      payload = JSON.parse($("publish-payload").value);
    } catch (e) {
      throw new Error("payload is not valid JSON: " + e.message);
    }
    return api("publish", { method: "POST", body: JSON.stringify({ channel: $("publish-channel").value.trim(), payload }) });
  }, "publish-result");
  onSubmit("disconnect-form", () => api("disconnect", {
    method: "POST",
    body: JSON.stringify({ userId: $("disconnect-user").value.trim(), reconnect: $("disconnect-reconnect").checked }),
  }), "disconnect-result");

  window.addEventListener("resize", () => {
    for (const c of Object.values(charts)) {
      const width = c.root.parentElement.clientWidth;
      if (width > 0) c.setSize({ width, height: 180 });
    }
  });

  poll();
})();
