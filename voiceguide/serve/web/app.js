// The page of `voiceguide serve`: lists the sessions the server describes in
// _voiceguide/page.json, plays them, and follows along with their script.
// Everything comes from the server itself (no CDN, no other network).
"use strict";

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

// A served name ("tracks/01 Forward Bend.mp3") as a URL relative to the page.
const href = (name) => name.split("/").map(encodeURIComponent).join("/");
const absolute = (name) => new URL(href(name), location.href).href;

function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds)); // as players show it
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

function spokenLength(seconds) {
  const minutes = Math.round(seconds / 60);
  return minutes >= 1 ? `${minutes} minute${minutes === 1 ? "" : "s"}` : `${Math.round(seconds)} seconds`;
}

function localDate(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(y, m - 1, d);
}

function dayLabel(iso) {
  return localDate(iso).toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short" });
}

// -- playing ---------------------------------------------------------------

const players = []; // every session's controller, in page order
let active = null; // the controller that last played

class Player {
  constructor(session, index, album, lang) {
    this.session = session;
    this.album = album;
    this.index = index;
    // The language the session is spoken in: its script and names carry it (the page's own words are English).
    this.lang = session.lang || lang || "en";
    this.chapters = [];
    this.loaded = false;
    this.build();
  }

  build() {
    const s = this.session;
    const id = `session-${this.index}`;
    this.audio = el("audio", {
      controls: true,
      preload: this.index === 0 ? "metadata" : "none",
      src: href(s.audio),
      "aria-label": `Player: ${s.title}`,
    });
    if (s.transcript) {
      this.track = el("track", { kind: "captions", srclang: this.lang, label: "Script", src: href(s.transcript), default: true });
      this.audio.append(this.track);
    }
    const when = [];
    if (s.today) when.push("Today");
    if (s.day) when.push(`Day ${s.day}`);
    if (s.date && !s.today) when.push(dayLabel(s.date));
    if (!s.day && !s.date) when.push(s.audio.split("/").pop()); // a folder of sessions: tell them apart by file
    const cover = s.cover
      ? el("img", { class: "cover", src: href(s.cover), alt: `Cover of ${s.title}`, width: 96, height: 96, loading: this.index ? "lazy" : "eager" })
      : el("div", { class: "cover cover-blank", "aria-hidden": "true" });
    const stretches = s.stretches.length ? el("p", { class: "stretches", lang: this.lang, text: s.stretches.join(" · ") }) : null;
    this.chapterList = el("ol", { class: "chapters", lang: this.lang });
    this.script = el("ol", { class: "script", lang: this.lang, tabindex: 0, "aria-label": `Script of ${s.title}` });
    this.details = el(
      "details",
      { class: "more", open: this.index === 0, ontoggle: () => this.details.open && this.load() },
      el("summary", { text: "Chapters and script" }),
      el("nav", { "aria-label": `Chapters of ${s.title}` }, this.chapterList),
      el("h4", { class: "script-heading", text: "Script" }),
      this.script,
    );
    const downloads = el(
      "p",
      { class: "session-downloads" },
      el("a", { href: href(s.audio), download: s.audio.split("/").pop(), text: "Download MP3" }),
      s.transcript ? el("a", { href: href(s.transcript), download: true, text: "Captions (VTT)" }) : null,
      s.chapters ? el("a", { href: href(s.chapters), download: true, text: "Chapters (JSON)" }) : null,
      s.lyrics ? el("a", { href: href(s.lyrics), download: true, text: "Lyrics (LRC)" }) : null,
    );
    this.node = el(
      "article",
      { class: `session${s.today ? " today" : ""}`, "aria-labelledby": `${id}-title`, id },
      el(
        "div",
        { class: "session-head" },
        cover,
        el(
          "div",
          { class: "session-text" },
          when.length ? el("p", { class: s.day || s.date ? "eyebrow" : "eyebrow file", text: when.join(" · ") }) : null,
          el("h3", { id: `${id}-title`, lang: this.lang, text: s.title }),
          el("p", { class: "meta" }, el("span", { text: clock(s.seconds), "aria-label": spokenLength(s.seconds) })),
          stretches,
        ),
      ),
      this.audio,
      s.chapters || s.transcript ? this.details : null,
      downloads,
    );
    this.audio.addEventListener("play", () => this.onPlay());
    this.audio.addEventListener("timeupdate", () => this.onTime());
    this.audio.addEventListener("loadedmetadata", () => this.updatePosition());
    if (this.index === 0) this.load();
  }

  // Chapters and script are fetched when first wanted, not for every day at once.
  async load() {
    if (this.loaded) return;
    this.loaded = true;
    if (this.track) this.watchTrack();
    if (this.session.chapters) {
      try {
        const response = await fetch(href(this.session.chapters));
        const doc = await response.json();
        this.chapters = (doc.chapters || []).filter((c) => typeof c.startTime === "number");
      } catch (error) {
        this.chapters = [];
      }
      this.renderChapters();
    }
  }

  renderChapters() {
    this.chapterButtons = this.chapters.map((chapter) =>
      el(
        "button",
        {
          type: "button",
          class: "chapter",
          "data-start": chapter.startTime,
          onclick: () => this.seek(chapter.startTime, true),
        },
        el("span", { class: "time", text: clock(chapter.startTime) }),
        el("span", { class: "name", text: chapter.title }),
      ),
    );
    this.chapterList.replaceChildren(...this.chapterButtons.map((b) => el("li", {}, b)));
  }

  // The browser parses the WebVTT (the <track> element); the page shows its cues as the script.
  watchTrack() {
    const textTrack = this.track.track;
    textTrack.mode = "hidden";
    const render = () => {
      const cues = Array.from(textTrack.cues || []);
      if (!cues.length) return;
      this.cueItems = new Map();
      const items = cues.map((cue) => {
        const chime = cue.text.startsWith("[");
        const item = el(
          "li",
          { class: chime ? "cue chime" : "cue" },
          el(
            "button",
            { type: "button", class: "cue-button", onclick: () => this.seek(cue.startTime, false) },
            el("span", { class: "time", text: clock(cue.startTime) }),
            el("span", { class: "words", text: cue.text }),
          ),
        );
        this.cueItems.set(cue, item);
        return item;
      });
      this.script.replaceChildren(...items);
      this.highlightCue();
    };
    this.track.addEventListener("load", render);
    textTrack.addEventListener("cuechange", () => this.highlightCue());
    if (this.track.readyState === 2) render();
  }

  highlightCue() {
    if (!this.cueItems) return;
    const activeCues = Array.from(this.track.track.activeCues || []);
    let current = null;
    for (const [cue, item] of this.cueItems) {
      const on = activeCues.includes(cue);
      item.classList.toggle("current", on);
      if (on) {
        item.setAttribute("aria-current", "true");
        current = item;
      } else item.removeAttribute("aria-current");
    }
    if (current) this.scrollScript(current);
  }

  // Scroll the script's own box, never the page: a reader may be looking elsewhere.
  scrollScript(item) {
    const box = this.script;
    const offset = item.getBoundingClientRect().top - box.getBoundingClientRect().top;
    const target = box.scrollTop + offset - (box.clientHeight - item.offsetHeight) / 2;
    box.scrollTo({ top: Math.max(0, target), behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
  }

  seek(seconds, play) {
    this.audio.currentTime = seconds;
    if (play && this.audio.paused) this.audio.play().catch(() => {});
    this.onTime();
  }

  currentChapter() {
    const t = this.audio.currentTime;
    let index = -1;
    this.chapters.forEach((c, i) => {
      if (c.startTime <= t + 0.05) index = i;
    });
    return index;
  }

  onTime() {
    if (this.chapterButtons) {
      const current = this.currentChapter();
      this.chapterButtons.forEach((button, i) => {
        if (i === current) button.setAttribute("aria-current", "true");
        else button.removeAttribute("aria-current");
      });
    }
    if (active === this) this.updatePosition();
  }

  onPlay() {
    for (const other of players) if (other !== this && !other.audio.paused) other.audio.pause();
    active = this;
    this.load();
    if (this.details && !this.details.open) this.details.open = true;
    setMediaSession(this);
  }

  step(direction) {
    const current = this.currentChapter();
    const target = this.chapters[current + direction];
    if (target) this.seek(target.startTime, true);
    else if (direction < 0) this.seek(0, true);
  }

  updatePosition() {
    if (!("mediaSession" in navigator) || !navigator.mediaSession.setPositionState) return;
    const duration = this.audio.duration;
    if (!Number.isFinite(duration) || duration <= 0) return;
    try {
      navigator.mediaSession.setPositionState({
        duration,
        playbackRate: this.audio.playbackRate || 1,
        position: Math.min(this.audio.currentTime, duration),
      });
    } catch (error) {
      // A position the browser will not take (mid-seek); the next update corrects it.
    }
  }
}

// Lock screen and headset controls.
function setMediaSession(player) {
  if (!("mediaSession" in navigator)) return;
  const s = player.session;
  const artwork = s.cover ? [{ src: absolute(s.cover) }] : [];
  navigator.mediaSession.metadata = new MediaMetadata({ title: s.title, artist: "voiceguide", album: player.album, artwork });
  const audio = player.audio;
  const handlers = {
    play: () => audio.play(),
    pause: () => audio.pause(),
    stop: () => {
      audio.pause();
      audio.currentTime = 0;
    },
    seekbackward: (d) => player.seek(Math.max(0, audio.currentTime - (d.seekOffset || 10)), false),
    seekforward: (d) => player.seek(Math.min(audio.duration || Infinity, audio.currentTime + (d.seekOffset || 10)), false),
    seekto: (d) => {
      if (d.fastSeek && "fastSeek" in audio) audio.fastSeek(d.seekTime);
      else player.seek(d.seekTime, false);
    },
    previoustrack: () => player.step(-1),
    nexttrack: () => player.step(1),
  };
  for (const [action, handler] of Object.entries(handlers)) {
    try {
      navigator.mediaSession.setActionHandler(action, handler);
    } catch (error) {
      // An action this browser does not know.
    }
  }
  player.updatePosition();
}

// -- the page ----------------------------------------------------------------

function renderSubscribe(data) {
  if (!data.feed) return;
  const feed = absolute(data.feed);
  $("feed-url").value = feed;
  const qr = $("feed-qr");
  qr.src = "_voiceguide/feed-qr.svg";
  qr.alt = `QR code of the feed address ${feed}`;
  $("podcast-link").href = feed.replace(/^https?:/, "podcast:");
  $("copy-feed").addEventListener("click", async () => {
    const status = $("copy-status");
    try {
      await navigator.clipboard.writeText(feed);
      status.textContent = "Copied the feed address.";
    } catch (error) {
      $("feed-url").select();
      status.textContent = "Selected: copy it with your device's copy command.";
    }
  });
  $("subscribe").hidden = false;
}

function renderDownloads(data) {
  const items = [];
  if (data.calendar) {
    items.push(el("li", {}, el("a", { href: href(data.calendar), download: true, text: "Calendar of the sessions (.ics)" }), " — a reminder each day in your calendar app"));
  }
  if (data.feed) items.push(el("li", {}, el("a", { href: href(data.feed), text: "The feed (RSS)" })));
  for (const playlist of data.playlists) {
    const tracks = el(
      "ol",
      { class: "tracks" },
      ...playlist.tracks.map((t) => el("li", {}, el("a", { href: href(t.url), download: t.url.split("/").pop(), text: t.title }))),
    );
    items.push(
      el(
        "li",
        {},
        el("a", { href: href(playlist.url), download: true, text: `${playlist.title}: playlist of ${playlist.tracks.length} tracks (.m3u8)` }),
        tracks,
      ),
    );
  }
  if (!items.length) return;
  $("download-list").replaceChildren(...items);
  $("downloads").hidden = false;
}

async function main() {
  let data;
  try {
    const response = await fetch("_voiceguide/page.json", { cache: "no-cache" });
    data = await response.json();
  } catch (error) {
    $("status").textContent = "Could not reach the server. Is 'voiceguide serve' still running?";
    return;
  }
  document.title = `${data.title} · voiceguide`;
  $("title").textContent = data.title;
  if (data.lang) {
    // The program's words are in its language; the page around them is in English (index.html's <html lang>).
    $("title").lang = data.lang;
    $("description").lang = data.lang;
  }
  if (data.description) {
    $("description").textContent = data.description;
    $("description").hidden = false;
  }
  if (data.cover) {
    $("program-cover").src = href(data.cover);
    $("program-cover").hidden = false;
  }
  const list = $("session-list");
  data.sessions.forEach((session, i) => {
    const player = new Player(session, i, data.title, data.lang);
    players.push(player);
    list.append(player.node);
  });
  const count = data.sessions.length;
  $("status").textContent = count
    ? `${count} session${count === 1 ? "" : "s"}${data.kind === "program" ? " so far" : ""}.`
    : "No sessions here yet. Build one with 'voiceguide build' or 'voiceguide program'.";
  $("status").classList.toggle("visually-hidden", count > 0);
  if (data.upcoming) {
    const more = data.upcoming.count;
    $("upcoming").textContent = `${more} more day${more === 1 ? "" : "s"} to come; the next on ${dayLabel(data.upcoming.next)}.`;
    $("upcoming").hidden = false;
  }
  renderSubscribe(data);
  renderDownloads(data);
  document.body.dataset.ready = "true";
}

main();
