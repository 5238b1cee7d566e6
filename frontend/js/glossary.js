// The glossary page: static text; only the shared navigation is built here.
import { startPage } from "./page.js";

startPage(() => {});
