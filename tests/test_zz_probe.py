from tests.a11y import axe_violations, horizontal_overflow
from tests.test_walkthrough_page import open_walkthrough

def test_probe(page, browser, live_server):
    for q in ["?run=default", "?run=default-sgns", "?run=default&vs=default-sgns"]:
        open_walkthrough(page, live_server, q)
        page.wait_for_timeout(500)
        print(q, "\n".join(axe_violations(page, ("serious","critical","moderate"))))
    for w in (390, 360):
        ctx = browser.new_context(viewport={"width": w, "height": 844}, bypass_csp=True)
        p = ctx.new_page()
        open_walkthrough(p, live_server, "?run=default")
        print(w, horizontal_overflow(p), p.evaluate("document.scrollingElement.scrollWidth"))
        p.screenshot(path=f"/tmp/wk{w}.png", full_page=True)
        print(p.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth+1).slice(0,15).map(e => e.tagName+'#'+e.id+'.'+e.className+' '+Math.round(e.getBoundingClientRect().right))"""))
        ctx.close()
