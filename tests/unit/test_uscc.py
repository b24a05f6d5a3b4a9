import pytest

from matchmaker.uscc import check_character, validate_uscc

# Codes built with the GB 32100-2015 algorithm, and a published example (91350100M000100Y43).
VALID = ["91350100M000100Y43", "91310115MA1K000003", "91310000132200821H"]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code: str) -> None:
    assert validate_uscc(code) == code


def test_lower_case_and_spaces_are_normalised() -> None:
    assert validate_uscc(" 91310115ma1k000003 ") == "91310115MA1K000003"


def test_wrong_check_character_names_the_expected_one() -> None:
    with pytest.raises(ValueError, match=r"should be '3', not '0'"):
        validate_uscc("91310115MA1K000000")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("9131011", "has 18 characters, this one has 7"),
        ("91310115MA1K0000O3", r"character 17 \('O'\) is not allowed"),
        ("9131A115MA1K000003", "administrative code"),
    ],
)
def test_malformed_codes_say_why(code: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_uscc(code)


def test_check_character_matches_hand_computation() -> None:
    # 9*1 + 1*3 + 3*9 + 1*27 + 0*19 + 1*26 + 1*16 + 5*17 + M(21)*20 + A(10)*29 + 1*25 + K(19)*13
    # = 9+3+27+27+0+26+16+85+420+290+25+247 = 1175; 1175 % 31 = 28; 31 - 28 = 3 -> '3'
    assert check_character("91310115MA1K00000") == "3"
