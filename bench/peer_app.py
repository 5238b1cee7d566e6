"""The peer a user would write instead of wordlab's tokenize route: a plain FastAPI app over Hugging
Face `tokenizers` (a Rust BPE trained at start-up on the same corpus, same vocabulary size), served by
`uvicorn bench.peer_app:app --workers 2`. Only bench/load.py starts it."""

from fastapi import FastAPI
from pydantic import BaseModel
from tokenizers import Tokenizer, models, pre_tokenizers, trainers

from trainer.config import DEFAULT_CORPUS, DEFAULT_TOKENIZER_VOCAB, resolve_corpus


def trained() -> Tokenizer:
    tokenizer = Tokenizer(models.BPE(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.train([str(resolve_corpus(DEFAULT_CORPUS))],
                    trainers.BpeTrainer(vocab_size=DEFAULT_TOKENIZER_VOCAB, show_progress=False,
                                        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    return tokenizer


class TokenizeRequest(BaseModel):
    text: str


class TokenizeResponse(BaseModel):
    ids: list[int]
    tokens: list[str]
    offsets: list[tuple[int, int]]


TOKENIZER = trained()
app = FastAPI()


@app.get("/api/health")
async def health() -> dict:
    return {"status": "ok"}


@app.post("/api/tokenize")
async def tokenize(request: TokenizeRequest) -> TokenizeResponse:
    encoding = TOKENIZER.encode(request.text)
    return TokenizeResponse(ids=encoding.ids, tokens=encoding.tokens, offsets=encoding.offsets)
