// The index page: only the shared navigation.
import { renderNav } from "./page.js";

renderNav();
