package dev.tandem.entities;

import static dev.tandem.entities.EntityFrames.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.NullNode;
import org.junit.jupiter.api.Test;

/** The field-level three-way merge and RFC 7396 merge patches, case by case. */
class ThreeWayMergeTest {

    @Test
    void disjointFieldsMerge() {
        ThreeWayMerge.Result result = ThreeWayMerge.merge(json("{'a':1,'b':1}"), json("{'a':2,'b':1}"), json("{'b':3}"));
        assertThat(result.clean()).isTrue();
        assertThat(result.merged()).isEqualTo(json("{'a':2,'b':3}"));
    }

    @Test
    void overlappingFieldsConflictWithBaseMineAndTheirs() {
        ThreeWayMerge.Result result = ThreeWayMerge.merge(json("{'a':1,'b':1}"), json("{'a':2,'b':1}"), json("{'a':3}"));
        assertThat(result.clean()).isFalse();
        assertThat(result.merged()).isNull();
        assertThat(result.conflicts()).containsExactly(new ThreeWayMerge.FieldConflict("a",
                json("{'v':1}").get("v"), json("{'v':3}").get("v"), json("{'v':2}").get("v")));
    }

    @Test
    void bothSidesMakingTheSameChangeIsNoConflict() {
        ThreeWayMerge.Result result = ThreeWayMerge.merge(json("{'a':1}"), json("{'a':2}"), json("{'a':2}"));
        assertThat(result.clean()).isTrue();
        assertThat(result.merged()).isEqualTo(json("{'a':2}"));
    }

    @Test
    void nestedObjectsMergeFieldByField() {
        ThreeWayMerge.Result clean = ThreeWayMerge.merge(json("{'addr':{'city':'A','zip':'1'}}"),
                json("{'addr':{'city':'B','zip':'1'}}"), json("{'addr':{'zip':'2'}}"));
        assertThat(clean.merged()).isEqualTo(json("{'addr':{'city':'B','zip':'2'}}"));
        ThreeWayMerge.Result conflict = ThreeWayMerge.merge(json("{'addr':{'city':'A','zip':'1'}}"),
                json("{'addr':{'city':'B','zip':'1'}}"), json("{'addr':{'city':'C'}}"));
        assertThat(conflict.conflicts()).extracting(ThreeWayMerge.FieldConflict::path).containsExactly("addr/city");
    }

    @Test
    void replacingAWholeObjectOverlapsAChangeInsideIt() {
        ThreeWayMerge.Result result = ThreeWayMerge.merge(json("{'addr':{'city':'A'}}"), json("{'addr':{'city':'B'}}"),
                json("{'addr':null}"));
        assertThat(result.conflicts()).extracting(ThreeWayMerge.FieldConflict::path).containsExactly("addr");
        assertThat(result.conflicts().get(0).mine()).isEqualTo(NullNode.getInstance());
    }

    @Test
    void nullDeletesAFieldNobodyElseTouched() {
        ThreeWayMerge.Result result = ThreeWayMerge.merge(json("{'a':1,'b':1}"), json("{'a':1,'b':2}"), json("{'a':null}"));
        assertThat(result.merged()).isEqualTo(json("{'b':2}"));
    }

    @Test
    void aDeleteOnTheirSideConflictsWithAnEditOfTheSameField() {
        ThreeWayMerge.Result result = ThreeWayMerge.merge(json("{'a':1}"), json("{}"), json("{'a':5}"));
        assertThat(result.conflicts()).hasSize(1);
        assertThat(result.conflicts().get(0).theirs()).isEqualTo(NullNode.getInstance());
    }

    @Test
    void mergePatchFollowsRfc7396() {
        assertThat(MergePatch.apply(json("{'a':'b','c':{'d':'e','f':'g'}}"), json("{'a':'z','c':{'f':null}}")))
                .isEqualTo(json("{'a':'z','c':{'d':'e'}}"));
        assertThat(MergePatch.apply(json("{'a':[1,2]}"), json("{'a':[3]}"))).isEqualTo(json("{'a':[3]}"));
        assertThat(MergePatch.diff(json("{'a':1,'b':{'c':1,'d':2}}"), json("{'b':{'c':1,'d':3},'e':true}")))
                .isEqualTo(json("{'a':null,'b':{'d':3},'e':true}"));
    }
}
