// A short vector (d numbers) as a strip of cells with a bar for each value. Past DENSE numbers (a corpus
// run's 100 dimensions) the cells keep their bars and lose their printed numbers, which would not fit;
// each cell's title still gives its value.
const DENSE = 24;

export function renderVector(container, values, color, scale) {
  container.classList.toggle("dense", values.length > DENSE);
  if (container.children.length !== values.length) {
    container.replaceChildren(...values.map(() => {
      const cell = document.createElement("div");
      cell.className = "cell";
      cell.innerHTML = '<div class="bar"></div><span></span>';
      return cell;
    }));
  }
  values.forEach((v, i) => {
    const cell = container.children[i], bar = cell.firstChild, share = Math.min(1, Math.abs(v) / scale) * 50;
    bar.style.background = color;
    bar.style.opacity = "0.55";
    bar.style.top = v >= 0 ? `${50 - share}%` : "50%";
    bar.style.height = `${share}%`;
    cell.lastChild.textContent = v.toFixed(3);
    cell.title = `dimension ${i + 1}: ${v}`;
  });
}
