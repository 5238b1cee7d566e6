// Tabs (the WAI-ARIA tabs pattern): buttons with role=tab in a role=tablist, each controlling a
// role=tabpanel. One tab is in the Tab order at a time; ← → Home End move between tabs and select them.
// The page's state says which one is shown: a click or a key calls onSelect(name), and the page calls
// show(name) when its state changes (from a click, a link or a live class alike).

export class Tabs {
  /** tablist: the element holding the tab buttons (each with data-section and aria-controls). */
  constructor(tablist, { onSelect }) {
    this.tabs = [...tablist.querySelectorAll("[role=tab]")];
    this.names = this.tabs.map((tab) => tab.dataset.section);
    for (const tab of this.tabs) tab.addEventListener("click", () => onSelect(tab.dataset.section));
    tablist.addEventListener("keydown", (event) => {
      const at = this.tabs.indexOf(document.activeElement);
      if (at < 0) return;
      const last = this.tabs.length - 1;
      const to = { ArrowRight: at === last ? 0 : at + 1, ArrowLeft: at === 0 ? last : at - 1, Home: 0, End: last }[event.key];
      if (to === undefined) return;
      event.preventDefault();
      this.tabs[to].focus();
      onSelect(this.names[to]);
    });
  }

  /** Shows the panel of `name` and hides the others. */
  show(name) {
    for (const tab of this.tabs) {
      const selected = tab.dataset.section === name;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      document.getElementById(tab.getAttribute("aria-controls")).hidden = !selected;
    }
  }
}
